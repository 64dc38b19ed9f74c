// Sign word of the unbiased rankReduce (models/golden/sign_generator.h,
// docs/fixed_point_rank_reduce.md §5): x = pair * 0x9E3779B9 + seed (mod 2^32), then the
// lowbias32 finalizer. Two pipeline stages, one 32x32 multiplier each, so the critical path
// holds a single multiply. Latency 2 cycles, one word per cycle, no back-pressure (the
// consumer samples out_word while out_valid is high).
// Reset: synchronous, active high (rst); it clears only the valid pipeline.
module rr_sign_gen (
    input  logic        clk,
    input  logic        rst,
    input  logic        in_valid,
    input  logic [31:0] in_seed,
    input  logic [31:0] in_pair,
    output logic        out_valid,
    output logic [31:0] out_word
);
  localparam logic [31:0] kWeyl = 32'h9E3779B9;
  localparam logic [31:0] kMul1 = 32'h7FEB352D;
  localparam logic [31:0] kMul2 = 32'h846CA68B;

  // 32-bit operands give a 32-bit product: arithmetic modulo 2^32, as uint32_t in the model.
  logic [31:0] weyl, fold1, mix1;
  always_comb begin
    weyl = in_pair * kWeyl + in_seed;
    fold1 = weyl ^ (weyl >> 16);
    mix1 = fold1 * kMul1;
  end

  logic        s1_valid;
  logic [31:0] s1_word;
  always_ff @(posedge clk) begin
    if (rst) s1_valid <= 1'b0;
    else s1_valid <= in_valid;
    s1_word <= mix1;
  end

  logic [31:0] fold2, mix2;
  always_comb begin
    fold2 = s1_word ^ (s1_word >> 15);
    mix2 = fold2 * kMul2;
  end

  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else out_valid <= s1_valid;
    out_word <= mix2 ^ (mix2 >> 16);
  end
endmodule
