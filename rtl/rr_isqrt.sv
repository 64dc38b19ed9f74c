// Exact integer square root (fixed_math isqrt_floor / isqrt_round,
// docs/fixed_point_rank_reduce.md §2.2): the restoring digit-by-digit recurrence, W/2 digits
// in total, DIGITS_PER_CYCLE of them per clock. For every radicand v < 2^W it returns
//   out_root  = floor(sqrt(v))            (W/2 bits)
//   out_rem   = v - out_root^2            (<= 2 out_root, W/2 + 2 bits as in the spec)
//   out_round = out_root + (rem > root)   (= round(sqrt(v)); W/2 + 1 bits: 2^(W/2) for v near 2^W)
// Handshake: valid/ready on both sides; one operation in flight. in_ready is high when idle
// and the result register is empty or being read in the same cycle. Latency (rising edges from
// the accepting one, included, to the result): W / (2 DIGITS_PER_CYCLE) + 1, i.e. 33 for the
// defaults; the next operation can be accepted at the edge that delivers the result.
// Reset: synchronous, active high (rst).
module rr_isqrt #(
    parameter int W = 64,                // radicand width (even)
    parameter int DIGITS_PER_CYCLE = 1   // must divide W/2
) (
    input  logic             clk,
    input  logic             rst,
    input  logic             in_valid,
    output logic             in_ready,
    input  logic [W-1:0]     in_value,
    output logic             out_valid,
    input  logic             out_ready,
    output logic [W/2-1:0]   out_root,
    output logic [W/2+1:0]   out_rem,
    output logic [W/2:0]     out_round
);
  localparam int RootW = W / 2;
  localparam int RemW = RootW + 2;   // rem <= 2 root < 2^(RootW + 1)
  localparam int WorkW = RootW + 4;  // 4 rem + 3 < 2^(RootW + 3)
  localparam int Steps = RootW / DIGITS_PER_CYCLE;
  localparam int CountW = $clog2(Steps + 1);

  if (W % 2 != 0 || W < 4 || RootW % DIGITS_PER_CYCLE != 0) begin : g_bad_parameters
    $error("rr_isqrt: W must be even and >= 4, DIGITS_PER_CYCLE must divide W/2");
  end

  logic              busy;
  logic [CountW-1:0] count;
  logic [W-1:0]      radicand;  // unconsumed digits, most significant pair on top
  logic [RootW-1:0]  root;
  logic [RemW-1:0]   rem;

  // DIGITS_PER_CYCLE steps of: rem = 4 rem + next digit; trial = 4 root + 1; root = 2 root;
  // if rem >= trial { rem -= trial; root += 1 }.
  logic [W-1:0]     radicand_next;
  logic [RootW-1:0] root_next;
  logic [RemW-1:0]  rem_next;
  logic [WorkW-1:0] rem_work, trial;
  always_comb begin
    radicand_next = radicand;
    root_next = root;
    rem_next = rem;
    rem_work = '0;
    trial = '0;
`ifdef VERILATOR  // simulation speed: skipped while unread (same outputs; Yosys sees no guard)
    if (busy)
`endif
    for (int d = 0; d < DIGITS_PER_CYCLE; d++) begin
      rem_work = {rem_next, radicand_next[W-1 -: 2]};
      trial = {2'b00, root_next, 2'b01};
      root_next = {root_next[RootW-2:0], 1'b0};
      if (rem_work >= trial) begin
        rem_work = rem_work - trial;
        root_next[0] = 1'b1;
      end
      rem_next = rem_work[RemW-1:0];
      radicand_next = {radicand_next[W-3:0], 2'b00};
    end
  end

  assign in_ready = !busy && (!out_valid || out_ready);

  always_ff @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      out_valid <= 1'b0;
      count <= '0;
      radicand <= '0;
      root <= '0;
      rem <= '0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (in_valid && in_ready) begin
        busy <= 1'b1;
        count <= CountW'(Steps);
        radicand <= in_value;
        root <= '0;
        rem <= '0;
      end else if (busy) begin
        radicand <= radicand_next;
        root <= root_next;
        rem <= rem_next;
        count <= count - 1'b1;
        if (count == CountW'(1)) begin
          busy <= 1'b0;
          out_valid <= 1'b1;
        end
      end
    end
  end

  assign out_root = root;
  assign out_rem = rem;
  // sqrt(v) >= root + 1/2  <=>  rem > root (integers; ties cannot occur).
  assign out_round = {1'b0, root} + ((rem > RemW'(root)) ? (RootW + 1)'(1) : '0);
endmodule
