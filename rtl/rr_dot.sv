// Streaming dot product (the Gram-Schmidt projections of docs/fixed_point_rank_reduce.md
// §4.2: acc = sum_i Q_ij w_i, int16 basis codes times int32 residual words, and the other
// long integer sums of the step). LANES products per beat, accumulated exactly in ACC_W bits
// (60 in the spec: |acc| <= n (2^15 - 1) 2^30 < 2^59 for n <= 2^14, symmetric basis codes).
// A vector is a sequence of beats, the last one flagged by in_last; vectors whose length is
// not a multiple of LANES are padded with zero lanes by the producer (zeros add nothing).
// out_overflow reports that some running sum (at beat granularity) left the signed ACC_W
// range -- outside the spec's operand bounds; out_acc is then the exact sum modulo 2^ACC_W.
// out_prod exposes the beat's LANES products (combinational, whether or not in_valid): a
// user that needs the lanes' products one by one (rr_unit's basis update: four rows, four
// accumulators) shares the multipliers without accumulating here.
// Handshake: valid/ready on both sides. in_ready is low only while a finished result waits
// for out_ready. Throughput: one beat (LANES MACs) per cycle; the result is visible after the
// edge that accepts the last beat (latency 1 edge).
// Reset: synchronous, active high (rst).
module rr_dot #(
    parameter int LANES = 4,
    parameter int A_W = 16,   // basis code width (signed)
    parameter int B_W = 32,   // residual word width (signed)
    parameter int ACC_W = 60  // accumulator width (signed)
) (
    input  logic                   clk,
    input  logic                   rst,
    input  logic                   in_valid,
    output logic                   in_ready,
    input  logic [LANES*A_W-1:0]   in_a,  // lane l in bits [l*A_W +: A_W]
    input  logic [LANES*B_W-1:0]   in_b,  // lane l in bits [l*B_W +: B_W]
    input  logic                   in_last,
    output logic                   out_valid,
    input  logic                   out_ready,
    output logic signed [ACC_W-1:0] out_acc,
    output logic                   out_overflow,
    output logic [LANES*(A_W+B_W)-1:0] out_prod  // lane l in bits [l*(A_W+B_W) +: A_W+B_W]
);
  localparam int ProdW = A_W + B_W;
  localparam int LaneGrowth = LANES > 1 ? $clog2(LANES) : 0;
  localparam int BeatW = ProdW + LaneGrowth;
  // One more bit than either addend: the running sum is computed without wrap, then checked.
  localparam int SumW = (BeatW > ACC_W ? BeatW : ACC_W) + 1;

  if (LANES < 1 || A_W < 2 || B_W < 2 || ACC_W < 2) begin : g_bad_parameters
    $error("rr_dot: LANES >= 1 and widths >= 2 required");
  end

  logic signed [ACC_W-1:0] acc;
  logic                    acc_overflow;  // sticky within the current vector

  logic signed [ProdW-1:0] prod;
  logic signed [SumW-1:0]  beat_sum, running;
  logic                    fits;
  always_comb begin
    beat_sum = '0;
    for (int l = 0; l < LANES; l++) begin
      prod = $signed(in_a[l*A_W +: A_W]) * $signed(in_b[l*B_W +: B_W]);
      out_prod[l*ProdW +: ProdW] = prod;
      beat_sum = beat_sum + SumW'(prod);
    end
    running = SumW'(acc) + beat_sum;
    // Fits in ACC_W signed bits iff the bits above the ACC_W-bit sign bit are all copies of it.
    fits = (running[SumW-1:ACC_W-1] == '0) || (running[SumW-1:ACC_W-1] == '1);
  end

  assign in_ready = !out_valid || out_ready;

  always_ff @(posedge clk) begin
    if (rst) begin
      acc <= '0;
      acc_overflow <= 1'b0;
      out_valid <= 1'b0;
      out_acc <= '0;
      out_overflow <= 1'b0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (in_valid && in_ready) begin
        if (in_last) begin
          out_acc <= running[ACC_W-1:0];
          out_overflow <= acc_overflow || !fits;
          out_valid <= 1'b1;
          acc <= '0;
          acc_overflow <= 1'b0;
        end else begin
          acc <= running[ACC_W-1:0];
          acc_overflow <= acc_overflow || !fits;
        end
      end
    end
  end
endmodule
