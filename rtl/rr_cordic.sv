// CORDIC of the fixed-point Jacobi SVD (fixed_math cordic_atan2 / cordic_cos_sin,
// docs/fixed_point_rank_reduce.md §2.4-2.6). Binary angles: 1 LSB = pi / 2^32.
// One shared shift-add datapath, one iteration per clock, 32 iterations:
//   in_rotate = 0 (vectoring): out_angle = atan2(in_y, in_x). (0, 0) -> 0 without iterating.
//     Operands are normalized so that max(|x|, |y|) has 31 bits (exact left shift or flooring
//     right shift), pre-rotated by -+pi/2 when x < 0. Contract |x|, |y| < 2^62.
//   in_rotate = 1 (rotation): (out_cos, out_sin) = (cos, sin)(in_angle) in Q2.30. Quadrant
//     reduction to |z| <= pi/4 with the gain-compensated start vector round(2^38 / K_32) placed
//     on the nearest axis, then round(x 2^-8), round(y 2^-8). Contract |angle| < 2^40.
// A contract violation (the model throws std::logic_error) raises out_error with zero results.
// out_angle is meaningful in vectoring mode only, out_cos/out_sin in rotation mode only. The
// result outputs hold their value until the next operation is accepted (also after out_valid
// has dropped), so a user may keep reading them instead of copying them.
// Registers: x, y 40-bit and z 35-bit signed, the widths the spec states.
// Handshake: valid/ready on both sides, one operation in flight. Latency (rising edges from
// the accepting one, included, to the result): 33; 1 for (0, 0) or a contract violation.
// XW, ANGW: operand widths (signed; 64 = the model's int64 contract). A user whose operands have
// fewer bits (rr_unit: |x|, |y| < 2^31, |angle| < 2^39) instantiates narrower ports, which
// narrows the operand set-up (magnitudes, leading-one detector, normalizing shifters).
// Reset: synchronous, active high (rst).
module rr_cordic #(
    parameter int XW = 64,   // in_x, in_y (32..64)
    parameter int ANGW = 64  // in_angle (34..64)
) (
    input  logic               clk,
    input  logic               rst,
    input  logic               in_valid,
    output logic               in_ready,
    input  logic               in_rotate,
    input  logic signed [XW-1:0] in_x,
    input  logic signed [XW-1:0] in_y,
    input  logic signed [ANGW-1:0] in_angle,
    output logic               out_valid,
    input  logic               out_ready,
    output logic signed [34:0] out_angle,
    output logic signed [31:0] out_cos,
    output logic signed [31:0] out_sin,
    output logic               out_error
);
  localparam int Iterations = 32;
  localparam int XYW = 40;  // rotation: |x|, |y| <= X0 K_32 = 2^38; vectoring: < 2^33
  localparam int ZW = 35;   // vectoring: |z| < 2^31 + sum A_i < 2^32.1
  localparam logic signed [XYW-1:0] kX0 = XYW'(64'd166920415761);  // round(2^38 / K_32)
  localparam logic signed [ZW-1:0] kHalfPi = ZW'(64'sd2147483648);  // 2^31
  localparam int GuardBits = 8;  // 38 - 30: the start vector's extra fraction bits
  localparam int NW = XW > XYW ? XW : XYW;  // the normalizing shifters' width

  if (XW < 32 || XW > 64 || ANGW < 34 || ANGW > 64) begin : g_bad_parameters
    $error("rr_cordic: XW in 32..64, ANGW in 34..64");
  end

  // A_i = round(atan(2^-i) / pi * 2^32), the table of the model (kCordicAtan).
  function automatic logic [30:0] atan_entry(input logic [4:0] i);
    case (i)
      5'd0: atan_entry = 31'd1073741824;
      5'd1: atan_entry = 31'd633866811;
      5'd2: atan_entry = 31'd334917815;
      5'd3: atan_entry = 31'd170009512;
      5'd4: atan_entry = 31'd85334662;
      5'd5: atan_entry = 31'd42708931;
      5'd6: atan_entry = 31'd21359677;
      5'd7: atan_entry = 31'd10680490;
      5'd8: atan_entry = 31'd5340327;
      5'd9: atan_entry = 31'd2670173;
      5'd10: atan_entry = 31'd1335088;
      5'd11: atan_entry = 31'd667544;
      5'd12: atan_entry = 31'd333772;
      5'd13: atan_entry = 31'd166886;
      5'd14: atan_entry = 31'd83443;
      5'd15: atan_entry = 31'd41722;
      5'd16: atan_entry = 31'd20861;
      5'd17: atan_entry = 31'd10430;
      5'd18: atan_entry = 31'd5215;
      5'd19: atan_entry = 31'd2608;
      5'd20: atan_entry = 31'd1304;
      5'd21: atan_entry = 31'd652;
      5'd22: atan_entry = 31'd326;
      5'd23: atan_entry = 31'd163;
      5'd24: atan_entry = 31'd81;
      5'd25: atan_entry = 31'd41;
      5'd26: atan_entry = 31'd20;
      5'd27: atan_entry = 31'd10;
      5'd28: atan_entry = 31'd5;
      5'd29: atan_entry = 31'd3;
      default: atan_entry = 31'd1;  // i = 30, 31
    endcase
  endfunction

  function automatic logic [6:0] bit_length(input logic [XW-1:0] v);
    bit_length = '0;
    for (int i = 0; i < XW; i++)
      if (v[i]) bit_length = 7'(i + 1);
  endfunction

  // a - b (sub) or a + b modulo 2^W on one adder: {a, sub} + {b ^ sub, sub} = 2 (a +- b) + ...
  function automatic logic signed [XYW-1:0] addsub_xy(input logic signed [XYW-1:0] a,
                                                      input logic signed [XYW-1:0] b, input logic sub);
    logic [XYW:0] sum;
    sum = {a, sub} + {b ^ {XYW{sub}}, sub};
    addsub_xy = XYW'(sum >> 1);
  endfunction
  function automatic logic signed [ZW-1:0] addsub_z(input logic signed [ZW-1:0] a,
                                                    input logic signed [ZW-1:0] b, input logic sub);
    logic [ZW:0] sum;
    sum = {a, sub} + {b ^ {ZW{sub}}, sub};
    addsub_z = ZW'(sum >> 1);
  endfunction

  // ---- Operand set-up (combinational on the inputs, registered on acceptance) ----
  logic [XW-1:0] mag_x, mag_y, mag_big;
  logic [6:0]  len;
  logic signed [NW-1:0] ext_x, ext_y;
  logic signed [XYW-1:0] norm_x, norm_y;
  logic signed [XYW-1:0] vec_x, vec_y;
  logic signed [ZW-1:0]  vec_z;
  logic vec_error, vec_zero;
  always_comb begin  // (read only when an operation is accepted)
    mag_x = '0;
    mag_y = '0;
    vec_error = 1'b0;
    vec_zero = 1'b0;
    mag_big = '0;
    len = '0;
    ext_x = '0;
    ext_y = '0;
    norm_x = '0;
    norm_y = '0;
    vec_x = '0;
    vec_y = '0;
    vec_z = '0;
`ifdef VERILATOR  // simulation speed: skipped while unread (same outputs; Yosys sees no guard)
    if (in_valid)
`endif
    begin
      mag_x = in_x[XW-1] ? -in_x : in_x;  // 2^63 for INT64_MIN: caught by the contract check
      mag_y = in_y[XW-1] ? -in_y : in_y;
      // |v| >= 2^62 (constant false for XW < 63)
      vec_error = (64'(mag_x) >= 64'h4000000000000000) || (64'(mag_y) >= 64'h4000000000000000);
      vec_zero = (in_x == '0) && (in_y == '0);
      mag_big = mag_x > mag_y ? mag_x : mag_y;
      len = bit_length(mag_big);
      // Scale to 31 significant bits: |norm| <= 2^31 afterwards (flooring may reach 2^31), so
      // XYW bits hold it.
      ext_x = NW'(in_x);
      ext_y = NW'(in_y);
      if (len < 7'd31) begin
        norm_x = XYW'(ext_x <<< (7'd31 - len));
        norm_y = XYW'(ext_y <<< (7'd31 - len));
      end else begin
        norm_x = XYW'(ext_x >>> (len - 7'd31));
        norm_y = XYW'(ext_y >>> (len - 7'd31));
      end
      // x < 0: rotate by -pi/2 (y >= 0) or +pi/2 (y < 0) into the right half plane.
      if (norm_x < 0) begin
        if (norm_y >= 0) begin
          vec_x = XYW'(norm_y);
          vec_y = XYW'(-norm_x);
          vec_z = kHalfPi;
        end else begin
          vec_x = XYW'(-norm_y);
          vec_y = XYW'(norm_x);
          vec_z = -kHalfPi;
        end
      end else begin
        vec_x = XYW'(norm_x);
        vec_y = XYW'(norm_y);
        vec_z = '0;
      end
    end
  end

  logic [32:0] turned;  // angle + pi/4 modulo 2^33: bits 32..31 give the nearest axis mod 4
  logic signed [XYW-1:0] rot_x, rot_y;
  logic signed [ZW-1:0]  rot_z;
  logic rot_error;
  always_comb begin  // (likewise)
    rot_error = 1'b0;
    turned = '0;
    rot_z = '0;
    rot_x = '0;
    rot_y = '0;
`ifdef VERILATOR  // simulation speed: skipped while unread (same outputs; Yosys sees no guard)
    if (in_valid)
`endif
    begin
      rot_error = (64'(in_angle) >= 64'sd1099511627776) || (64'(in_angle) <= -64'sd1099511627776);  // 2^40
      turned = in_angle[32:0] + 33'd1073741824;
      // z = angle - k pi/2 with k = turned >> 31: the low 31 bits of turned, minus pi/4.
      rot_z = ZW'({1'b0, turned[30:0]}) - ZW'(64'sd1073741824);
      case (turned[32:31])
        2'd0: begin rot_x = kX0; rot_y = '0; end
        2'd1: begin rot_x = '0; rot_y = kX0; end
        2'd2: begin rot_x = -kX0; rot_y = '0; end
        default: begin rot_x = '0; rot_y = -kX0; end
      endcase
    end
  end

  // ---- Iterations ----
  logic                  busy, rotate;
  logic [4:0]            iter;
  logic signed [XYW-1:0] x, y;
  logic signed [ZW-1:0]  z;

  logic signed [XYW-1:0] xs, ys;
  logic signed [ZW-1:0]  angle_step;
  logic                  ccw;  // x -= y 2^-i, y += x 2^-i, z -= A_i
  always_comb begin  // (read only while busy)
    xs = '0;
    ys = '0;
    angle_step = '0;
    ccw = 1'b0;
`ifdef VERILATOR  // simulation speed: skipped while unread (same outputs; Yosys sees no guard)
    if (busy)
`endif
    begin
      xs = x >>> iter;
      ys = y >>> iter;
      angle_step = ZW'(atan_entry(iter));
      // Rotation drives z to 0; vectoring drives y to 0 (ccw when y < 0).
      ccw = rotate ? (z >= 0) : (y < 0);
    end
  end

  assign in_ready = !busy && (!out_valid || out_ready);

  always_ff @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      rotate <= 1'b0;
      out_valid <= 1'b0;
      out_error <= 1'b0;
      iter <= '0;
      x <= '0;
      y <= '0;
      z <= '0;
    end else begin
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (in_valid && in_ready) begin
        rotate <= in_rotate;
        iter <= '0;
        if (in_rotate ? rot_error : (vec_error || vec_zero)) begin
          out_error <= in_rotate ? rot_error : vec_error;
          out_valid <= 1'b1;
          x <= '0;
          y <= '0;
          z <= '0;
        end else begin
          out_error <= 1'b0;
          busy <= 1'b1;
          x <= in_rotate ? rot_x : vec_x;
          y <= in_rotate ? rot_y : vec_y;
          z <= in_rotate ? rot_z : vec_z;
        end
      end else if (busy) begin
        x <= addsub_xy(x, ys, ccw);    // ccw: x - ys, else x + ys
        y <= addsub_xy(y, xs, !ccw);   // ccw: y + xs, else y - xs
        z <= addsub_z(z, angle_step, ccw);
        iter <= iter + 1'b1;
        if (iter == 5'(Iterations - 1)) begin
          busy <= 1'b0;
          out_valid <= 1'b1;
        end
      end
    end
  end

  // round(v 2^-8), half up; |x|, |y| <= 2^38 (1 + 2^-30), so the result fits Q2.30 in 32 bits.
  logic signed [XYW-1:0] x_half, y_half;
  always_comb begin
    x_half = x + XYW'(1 << (GuardBits - 1));
    y_half = y + XYW'(1 << (GuardBits - 1));
  end
  assign out_angle = z;
  assign out_cos = x_half[GuardBits+31:GuardBits];
  assign out_sin = y_half[GuardBits+31:GuardBits];
  // XYW = GuardBits + 32: the rounded value is exactly the top 32 bits; the low ones drop.
  logic unused_rounding_bits;
  assign unused_rounding_bits = ^{x_half[GuardBits-1:0], y_half[GuardBits-1:0]};
endmodule
