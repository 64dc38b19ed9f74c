// Rounded restoring division (fixed_math div_round, docs/fixed_point_rank_reduce.md §2.3):
//   out_quot = round_half_up(num * 2^frac / den)
// The W bits of num, then frac + 1 zero bits, enter the remainder one per clock (a fixed
// W + frac + 1 steps, data independent apart from frac); Q = floor(num 2^(frac+1) / den) and
// out_quot = (Q + 1) >> 1.
// Contract (the model throws std::logic_error; here out_error is raised with out_quot = 0 and
// no iterations): 1 <= den < 2^(W-2), frac <= W-2, and
// bit_length(num) + frac + 1 <= bit_length(den) + W - 1 (the model's quotient check, which
// guarantees Q < 2^W; it is conservative, and the RTL rejects exactly the same operands).
// Handshake: valid/ready on both sides, one operation in flight. Latency (rising edges from
// the accepting one, included, to the result): W + frac + 2 (66 + frac for W = 64); 1 for a
// contract violation.
// DW: the denominator's width (den < 2^DW; default W - 2, the contract's bound). A user whose
// denominators have fewer bits (rr_unit: < 2^36) narrows the remainder and its subtractor;
// a larger den is a contract violation.
// Reset: synchronous, active high (rst).
module rr_divider #(
    parameter int W = 64,      // operand and quotient width
    parameter int FW = 7,      // width of in_frac (unsigned)
    parameter int DW = W - 2   // den < 2^DW (8..W-2)
) (
    input  logic          clk,
    input  logic          rst,
    input  logic          in_valid,
    output logic          in_ready,
    input  logic [W-1:0]  in_num,
    input  logic [W-1:0]  in_den,
    input  logic [FW-1:0] in_frac,
    output logic          out_valid,
    input  logic          out_ready,
    output logic [W-1:0]  out_quot,
    output logic          out_error
);
  localparam int LenW = $clog2(W + 1);
  localparam int CountW = $clog2(2 * W + 1);  // steps <= 2W - 1
  localparam int SumW = (LenW > FW ? LenW : FW) + 2;

  if (W < 8 || FW < 1 || (1 << FW) <= W - 2 || DW < 8 || DW > W - 2) begin : g_bad_parameters
    $error("rr_divider: need W >= 8, FW wide enough for frac = W - 2 and DW in 8..W-2");
  end

  function automatic logic [LenW-1:0] bit_length(input logic [W-1:0] v);
    bit_length = '0;
    for (int i = 0; i < W; i++)
      if (v[i]) bit_length = LenW'(i + 1);
  endfunction

  // Contract check, in SumW-bit unsigned arithmetic (no wrap).
  logic [SumW-1:0] lhs, rhs;
  logic            violation;
  always_comb begin  // (read only when an operation is accepted)
    lhs = '0;
    rhs = '0;
    violation = 1'b0;
`ifdef VERILATOR  // simulation speed: skipped while unread (same outputs; Yosys sees no guard)
    if (in_valid)
`endif
    begin
      lhs = SumW'(bit_length(in_num)) + SumW'(in_frac) + SumW'(1);
      rhs = SumW'(bit_length(in_den)) + SumW'(W - 1);
      violation = (in_den == '0) || ((in_den >> DW) != '0) || (in_frac > FW'(W - 2)) || (lhs > rhs);
    end
  end

  logic              busy;
  logic [CountW-1:0] count;
  logic [W-1:0]      num_bits;  // dividend bits not yet consumed, next one on top
  logic [DW-1:0]     den;       // < 2^DW by contract
  logic [DW-1:0]     rem;       // < den after every step
  logic [W-1:0]      quot;

  logic [DW:0]   rem_shift;  // 2 rem + bit < 2 den
  logic [DW-1:0] rem_sub;    // exact modulo 2^DW: the true difference is < den
  logic          take;
  always_comb begin  // (read only while busy)
    rem_shift = '0;
    take = 1'b0;
    rem_sub = '0;
`ifdef VERILATOR  // simulation speed: skipped while unread (same outputs; Yosys sees no guard)
    if (busy)
`endif
    begin
      rem_shift = {rem, num_bits[W-1]};
      take = rem_shift >= {1'b0, den};
      rem_sub = rem_shift[DW-1:0] - den;
    end
  end

  assign in_ready = !busy && (!out_valid || out_ready);

  always_ff @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      out_valid <= 1'b0;
      out_error <= 1'b0;
      count <= '0;
      num_bits <= '0;
      den <= '0;
      rem <= '0;
      quot <= '0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (in_valid && in_ready) begin
        num_bits <= in_num;
        den <= in_den[DW-1:0];
        rem <= '0;
        quot <= '0;
        out_error <= violation;
        count <= CountW'(W + 1) + CountW'(in_frac);
        if (violation) out_valid <= 1'b1;
        else busy <= 1'b1;
      end else if (busy) begin
        num_bits <= {num_bits[W-2:0], 1'b0};
        rem <= take ? rem_sub : rem_shift[DW-1:0];  // not taken: rem_shift < den
        quot <= {quot[W-2:0], take};
        count <= count - 1'b1;
        if (count == CountW'(1)) begin
          busy <= 1'b0;
          out_valid <= 1'b1;
        end
      end
    end
  end

  // (Q + 1) >> 1 = (Q >> 1) + Q[0], which cannot overflow W bits.
  assign out_quot = out_error ? '0 : ({1'b0, quot[W-1:1]} + W'(quot[0]));
endmodule
