// Shared arithmetic of the rank-reduce unit (docs/fixed_point_rank_reduce.md §1-2): the
// functions of models/golden/fixed_math.h that are combinational. Included inside a module
// (functions are automatic, 64-bit signed values, logic signed [31:0] exponents and shift counts).
`ifndef RR_ARITH_SVH
`define RR_ARITH_SVH

// bit_length(v): 0 for v = 0, else 1 + the index of the leading one. A leading-one detector
// in six halving steps (log depth; also six statements instead of 64 in a Verilated model).
function automatic logic signed [31:0] rr_bitlen(input logic [63:0] v);
  logic [63:0] x;
  logic [5:0] pos;
  x = v;
  pos = '0;
  if (x[63:32] != 32'd0) begin pos[5] = 1'b1; x = x >> 32; end
  if (x[31:16] != 16'd0) begin pos[4] = 1'b1; x = x >> 16; end
  if (x[15:8] != 8'd0) begin pos[3] = 1'b1; x = x >> 8; end
  if (x[7:4] != 4'd0) begin pos[2] = 1'b1; x = x >> 4; end
  if (x[3:2] != 2'd0) begin pos[1] = 1'b1; x = x >> 2; end
  if (x[1] != 1'b0) pos[0] = 1'b1;
  rr_bitlen = (v == 64'd0) ? 0 : 32'(pos) + 1;
endfunction

// |v| as unsigned (v = -2^63 never occurs within the spec's bounds).
function automatic logic [63:0] rr_mag(input logic signed [63:0] v);
  rr_mag = v[63] ? 64'(-v) : 64'(v);
endfunction

// shift_round(v, s) = round_half_up(v 2^-s) (§2.1); s <= 0 is an exact left shift.
// For s > 0, floor((v + 2^(s-1)) 2^-s) = floor((floor(v 2^-(s-1)) + 1) / 2): one shifter and an
// incrementer instead of a second shifter for 2^(s-1) and a full adder.
function automatic logic signed [63:0] rr_shift_round(input logic signed [63:0] v, input logic signed [31:0] s);
  if (s >= 63 || s <= -63) begin
    rr_shift_round = '0;
  end else if (s > 0) begin
    rr_shift_round = ((v >>> (s - 1)) + 64'sd1) >>> 1;
  end else begin
    rr_shift_round = v <<< (-s);
  end
endfunction

// shift_round(v, s) where the exponent rules keep s >= 0 (a right shift only: no left shifter);
// s <= 0 returns v.
function automatic logic signed [63:0] rr_shr_round(input logic signed [63:0] v, input logic signed [31:0] s);
  if (s >= 63) begin
    rr_shr_round = '0;
  end else if (s > 0) begin
    rr_shr_round = ((v >>> (s - 1)) + 64'sd1) >>> 1;
  end else begin
    rr_shr_round = v;
  end
endfunction

// The smallest exponent at which one value big * 2^e fits in b bits (§1, block rule with
// the E0 + 1 carry case); 0 for big = 0. (The reference form: rr_unit computes it on its shared
// normalizer, fx_out.)
function automatic logic signed [31:0] rr_fit_exp(input logic [63:0] big, input logic signed [31:0] e, input logic signed [31:0] b);
  logic signed [31:0] cand;
  logic signed [63:0] rounded;
  if (big == 64'd0) begin
    rr_fit_exp = 0;
  end else begin
    cand = e + rr_bitlen(big) - b;
    rounded = rr_shift_round($signed(big), cand - e);
    rr_fit_exp = (rounded > ((64'sd1 <<< b) - 64'sd1)) ? cand + 1 : cand;
  end
endfunction

// a 2^ea <= b 2^eb for unsigned a, b < 2^63, exactly (§4.3's vanishing test). (The reference
// form: rr_unit's vanish block shares the normalizer for a's bit length and shift.)
function automatic logic rr_scaled_le(input logic [63:0] a, input logic signed [31:0] ea, input logic [63:0] b, input logic signed [31:0] eb);
  logic signed [31:0] la, lb, l;
  if (a == 64'd0) begin
    rr_scaled_le = 1'b1;
  end else if (b == 64'd0) begin
    rr_scaled_le = 1'b0;
  end else begin
    la = rr_bitlen(a);
    lb = rr_bitlen(b);
    if (la + ea != lb + eb) begin
      rr_scaled_le = (la + ea) < (lb + eb);
    end else begin
      l = la > lb ? la : lb;
      rr_scaled_le = (a << (l - la)) <= (b << (l - lb));
    end
  end
endfunction

`endif
