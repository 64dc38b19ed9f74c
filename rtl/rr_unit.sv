// Rank-reduce unit: one fixed-point rankReduce step per pair (docs/fixed_point_rank_reduce.md
// §4, bit for bit; docs/rtl.md describes the ports, the memory map and the schedule).
// A sequential micro-architecture: one state per operation, one memory access in flight, the
// iterative primitives rr_divider, rr_isqrt, rr_cordic and rr_sign_gen shared by all steps.
//
// Ports
//  * cfg_*: rank (1..MAX_RANK), n_o, n_i (1..MAX_N), mode (0 biased, 1 unbiased), kappa code
//    round(kappa_th 2^8), seed (low 32 bits); static while busy. cfg_pair_load/cfg_pair sets
//    the pair counter (resume); it counts every accepted pair and keys the sign generator.
//  * start_valid/start_ready with the block exponents of dz and a, then n_o dz codes and n_i a
//    codes on code_valid/code_ready.
//  * One memory port to the SRAM (valid/ready request, in-order read responses, one request
//    in flight): address {region[3:0], index[27:0]}, 64-bit words:
//      region 0/1: Q_L / Q_R code (int16 in bits 15:0), index j n + i (column-major)
//      region 2/3: scratch residual words w of the left / right side (int32 in bits 31:0)
//      region 4: index j: exponent of Q_L column j; 16 + j: Q_R column j; 32 + j: c_x code j;
//                48: c_x exponent (int16 in bits 15:0, c_x codes in bits 31:0)
//    A zero input (§4.1) touches no memory at all.
//  * done_valid/done_ready with the trace of the pair (FixedPairTrace) and the number of
//    saturated Gram-Schmidt words.
// Reset: synchronous, active high (rst); clears the control state and the pair counter.
module rr_unit #(
    parameter int MAX_RANK = 8,
    parameter int MAX_N = 16384,
    parameter int ADDR_W = 32,
    parameter int DATA_W = 64
) (
    input  logic              clk,
    input  logic              rst,
    // configuration
    input  logic [3:0]        cfg_rank,
    input  logic [14:0]       cfg_n_o,
    input  logic [14:0]       cfg_n_i,
    input  logic              cfg_mode,
    input  logic [35:0]       cfg_kappa,
    input  logic [31:0]       cfg_seed,
    input  logic              cfg_pair_load,
    input  logic [31:0]       cfg_pair,
    // pair input
    input  logic              start_valid,
    output logic              start_ready,
    input  logic signed [15:0] start_dz_exp,
    input  logic signed [15:0] start_a_exp,
    input  logic              code_valid,
    output logic              code_ready,
    input  logic signed [15:0] code_data,
    // memory
    output logic              mem_req_valid,
    input  logic              mem_req_ready,
    output logic              mem_req_write,
    output logic [ADDR_W-1:0] mem_req_addr,
    output logic [DATA_W-1:0] mem_req_wdata,
    input  logic              mem_rsp_valid,
    input  logic [DATA_W-1:0] mem_rsp_rdata,
    // result
    output logic              done_valid,
    input  logic              done_ready,
    output logic              done_zero_input,
    output logic              done_vanished_left,
    output logic              done_vanished_right,
    output logic              done_skipped_kappa,
    output logic [3:0]        done_kept,
    output logic [31:0]       done_sign_word,
    output logic [31:0]       done_c_exponent,
    output logic [31:0]       done_saturations,
    output logic [31:0]       pair_count
);
`include "rr_arith.svh"

  localparam int MQ = MAX_RANK + 1;   // largest q
  localparam int MM = MQ * MQ;        // q x q register files, stride MQ (column-major)
  localparam logic signed [63:0] kOne30 = 64'sd1073741824;
  localparam logic signed [63:0] kSat = 64'sd2147483647;
  localparam int Sweeps = 8;

  if (MAX_RANK < 1 || MAX_RANK > 8 || MAX_N < 1 || MAX_N > 16384 || ADDR_W != 32 || DATA_W != 64)
  begin : g_bad_parameters
    $error("rr_unit: MAX_RANK in 1..8, MAX_N in 1..16384, ADDR_W = 32, DATA_W = 64");
  end

  typedef enum logic [6:0] {
    S_IDLE, S_MEM, S_MEMR,
    S_IN, S_IN_NEXT, S_ZERO_CHECK, S_LOAD, S_LOAD_NEXT,
    S_G_START, S_G_DOT_A, S_G_DOT_B, S_G_DOT_C, S_G_DOT_END,
    S_G_UPD_A, S_G_UPD_B, S_G_UPD_C, S_G_UPD_D, S_G_COEF, S_G_NEXTJ,
    S_R_MAX_A, S_R_MAX_B, S_R_S, S_R_N2_A, S_R_N2_B, S_R_VT, S_R_SQ, S_R_DIV,
    S_R_PM_A, S_R_PM_B, S_R_PE, S_R_PW_A, S_R_PW_B, S_R_PW_C, S_R_END, S_R_VZ, S_R_VZ_NEXT, S_R_SIDE,
    S_BLK, S_CORE, S_KAPPA, S_EC, S_CONV,
    S_J_PAIR, S_J_A1, S_J_A2, S_J_C1, S_J_C2, S_J_ROW, S_J_COL, S_J_UV, S_J_NEXT, S_J_SIG, S_J_SORT,
    S_SP_START, S_SP_DIV, S_SP_DIVW, S_SP_SQW, S_SP_INV, S_SP_INVW, S_SP_MWW, S_SP_H,
    S_MIX, S_CXN, S_U_START, S_U_RD, S_U_RD_B, S_U_ACC, S_U_ACC_NEXT, S_U_EXP, S_U_SIDE,
    S_FIN, S_FIN_NEXT, S_DONE
  } state_t;

  state_t state, ret_state;

  // ---------------- configuration latched at start ----------------
  logic signed [31:0] r, q;
  logic signed [31:0] n_len [2];
  logic mode;
  logic [35:0] kappa;
  logic [31:0] seed;

  // ---------------- memory interface ----------------
  logic [DATA_W-1:0] rdata;  // last read response

  // ---------------- state and scratch registers ----------------
  logic side;   // 0 left (dz, Q_L), 1 right (a, Q_R)
  logic pass;
  logic signed [31:0] i, j, l, t;
  logic signed [31:0] sweep, jp, jk;
  logic signed [31:0] exp_in [2];
  logic [63:0] x2 [2];
  logic nonzero [2];
  logic signed [31:0] expq [2][MQ];
  logic live [2][MQ];
  logic [31:0] cxc [MQ];
  logic signed [31:0] cxe;
  logic signed [63:0] coef_m [2][MQ];
  logic signed [31:0] coef_e [2][MQ];
  logic signed [63:0] acc, cm, qv;
  logic signed [31:0] ce, tsh;
  logic [63:0] big, n2, big2, norm, recip;
  logic signed [31:0] ssh, ev, bn, eq;
  logic van [2];
  logic signed [63:0] cblk [2][MQ];
  logic signed [31:0] eblk [2];
  logic signed [63:0] sum [MM];
  logic [63:0] summax;
  logic signed [31:0] ea, ec;
  logic signed [63:0] ja [MM];
  logic signed [63:0] ju [MM];
  logic signed [63:0] jv [MM];
  logic signed [63:0] th_sum, ca, sa, cb, sb;
  logic signed [63:0] sig [MQ];
  logic taken [MQ];
  logic signed [63:0] su [MM];
  logic signed [63:0] sv [MM];
  logic signed [63:0] qx [MM];
  logic signed [63:0] cxn [MQ];
  logic signed [63:0] hv [MQ];
  logic signed [63:0] s1, inv_v0;
  logic signed [31:0] m0, kk;
  logic [3:0] kept;
  logic signed [63:0] mix [2][MM];
  logic [31:0] cxnew [MQ];
  logic signed [31:0] exn;
  logic signed [63:0] scaled [MM];
  logic signed [31:0] eref;
  logic signed [63:0] qrow [MQ];
  logic [63:0] bigc [MQ];
  logic signed [31:0] ecol [MQ];
  logic [31:0] sign_word, sats, pair_idx;
  logic skip, zero_in;

  // ---------------- primitives ----------------
  logic div_in_valid, div_in_ready, div_out_valid, div_out_error;
  logic [63:0] div_num, div_den, div_quot;
  logic [6:0] div_frac;
  rr_divider #(.W(64), .FW(7)) u_div (
      .clk, .rst, .in_valid(div_in_valid), .in_ready(div_in_ready), .in_num(div_num), .in_den(div_den),
      .in_frac(div_frac), .out_valid(div_out_valid), .out_ready(1'b1), .out_quot(div_quot),
      .out_error(div_out_error));

  logic sq_in_valid, sq_in_ready, sq_out_valid;
  logic [63:0] sq_value;
  logic [31:0] sq_root;
  logic [33:0] sq_rem;
  logic [32:0] sq_round;
  rr_isqrt #(.W(64), .DIGITS_PER_CYCLE(1)) u_sqrt (
      .clk, .rst, .in_valid(sq_in_valid), .in_ready(sq_in_ready), .in_value(sq_value),
      .out_valid(sq_out_valid), .out_ready(1'b1), .out_root(sq_root), .out_rem(sq_rem), .out_round(sq_round));

  logic co_in_valid, co_in_ready, co_out_valid, co_out_error, co_rotate;
  logic signed [63:0] co_x, co_y, co_angle;
  logic signed [34:0] co_out_angle;
  logic signed [31:0] co_cos, co_sin;
  rr_cordic u_cordic (
      .clk, .rst, .in_valid(co_in_valid), .in_ready(co_in_ready), .in_rotate(co_rotate), .in_x(co_x),
      .in_y(co_y), .in_angle(co_angle), .out_valid(co_out_valid), .out_ready(1'b1), .out_angle(co_out_angle),
      .out_cos(co_cos), .out_sin(co_sin), .out_error(co_out_error));

  logic sg_in_valid, sg_out_valid;
  logic [31:0] sg_word;
  rr_sign_gen u_sign (
      .clk, .rst, .in_valid(sg_in_valid), .in_seed(seed), .in_pair(pair_idx), .out_valid(sg_out_valid),
      .out_word(sg_word));

  // Diagnostic outputs of the primitives that a correct schedule never raises.
  logic unused_ok;
  assign unused_ok = ^{div_out_error, co_out_error, sq_root, sq_rem, sq_round[32], rdata[63:32]};

  assign start_ready = state == S_IDLE;
  assign code_ready = state == S_IN;

  // Address of a basis code, a scratch word or a metadata word.
  function automatic logic [31:0] a_q(input logic s, input logic signed [31:0] col, input logic signed [31:0] row, input logic signed [31:0] n);
    logic [27:0] idx;  // < 9 * 2^14
    idx = 28'(col * n + row);
    a_q = {3'b000, s, idx};
  endfunction
  function automatic logic [31:0] a_w(input logic s, input logic [27:0] row);
    a_w = {3'b001, s, row};
  endfunction
  function automatic logic [31:0] a_meta(input logic [27:0] idx);
    a_meta = {4'd4, idx};
  endfunction

`define RR_RD(addr, ret) \
  begin mem_req_valid <= 1'b1; mem_req_write <= 1'b0; mem_req_addr <= (addr); \
        ret_state <= (ret); state <= S_MEM; end
`define RR_WR(addr, data, ret) \
  begin mem_req_valid <= 1'b1; mem_req_write <= 1'b1; mem_req_addr <= (addr); \
        mem_req_wdata <= (data); ret_state <= (ret); state <= S_MEM; end

  always_ff @(posedge clk) begin : seq
    logic signed [31:0] n;
    logic signed [63:0] d, c, p, v, s, hh, g;
    logic [63:0] m;
    logic signed [63:0] tm [MM];
    logic signed [63:0] tu [MM];
    logic signed [127:0] lhs, rhs;
    logic signed [31:0] top, e, best, pivot, ee;
    logic any;
    n = n_len[side];
    if (rst) begin
      state <= S_IDLE;
      ret_state <= S_IDLE;
      mem_req_valid <= 1'b0;
      mem_req_write <= 1'b0;
      mem_req_addr <= '0;
      mem_req_wdata <= '0;
      done_valid <= 1'b0;
      div_in_valid <= 1'b0;
      sq_in_valid <= 1'b0;
      co_in_valid <= 1'b0;
      sg_in_valid <= 1'b0;
      pair_count <= '0;
    end else begin
      sg_in_valid <= 1'b0;
      if (sg_out_valid) sign_word <= sg_word;
      if (div_in_valid && div_in_ready) div_in_valid <= 1'b0;
      if (sq_in_valid && sq_in_ready) sq_in_valid <= 1'b0;
      if (co_in_valid && co_in_ready) co_in_valid <= 1'b0;
      if (cfg_pair_load && state == S_IDLE) pair_count <= cfg_pair;
      case (state)
        S_IDLE: begin
          if (start_valid) begin
            r <= 32'(cfg_rank);
            q <= 32'(cfg_rank) + 1;
            n_len[0] <= 32'(cfg_n_o);
            n_len[1] <= 32'(cfg_n_i);
            mode <= cfg_mode;
            kappa <= cfg_kappa;
            seed <= cfg_seed;
            exp_in[0] <= 32'(start_dz_exp);
            exp_in[1] <= 32'(start_a_exp);
            sg_in_valid <= 1'b1;
            pair_idx <= pair_count;
            pair_count <= pair_count + 32'd1;
            x2[0] <= '0;
            x2[1] <= '0;
            nonzero[0] <= 1'b0;
            nonzero[1] <= 1'b0;
            van[0] <= 1'b0;
            van[1] <= 1'b0;
            sats <= '0;
            kept <= 4'd0;
            ec <= 0;
            skip <= 1'b0;
            zero_in <= 1'b0;
            side <= 1'b0;
            i <= 0;
            state <= S_IN;
          end
        end
        S_MEM: begin
          if (mem_req_ready) begin
            mem_req_valid <= 1'b0;
            state <= mem_req_write ? ret_state : S_MEMR;
          end
        end
        S_MEMR: begin
          if (mem_rsp_valid) begin
            rdata <= mem_rsp_rdata;
            state <= ret_state;
          end
        end
        // ---- §4.1 input: w = x 2^8 into the scratch, |x|^2, the zero test ----
        S_IN: begin
          if (code_valid) begin
            x2[side] <= x2[side] + 64'(64'(code_data) * 64'(code_data));
            if (code_data != 16'sd0) nonzero[side] <= 1'b1;
            `RR_WR(a_w(side, 28'(i)), 64'(64'(code_data) <<< 8), S_IN_NEXT)
          end
        end
        S_IN_NEXT: begin
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_IN;
          end else if (side == 1'b0) begin
            side <= 1'b1;
            i <= 0;
            state <= S_IN;
          end else begin
            state <= S_ZERO_CHECK;
          end
        end
        S_ZERO_CHECK: begin
          if (!nonzero[0] || !nonzero[1]) begin
            zero_in <= 1'b1;
            state <= S_DONE;
            done_valid <= 1'b1;
          end else begin
            t <= 0;
            state <= S_LOAD;
          end
        end
        // ---- metadata: exponents and c_x ----
        S_LOAD: begin
          if (t < q) `RR_RD(a_meta(28'(t)), S_LOAD_NEXT)
          else if (t < 2 * q) `RR_RD(a_meta(28'(16 + t - q)), S_LOAD_NEXT)
          else if (t < 3 * q) `RR_RD(a_meta(28'(32 + t - 2 * q)), S_LOAD_NEXT)
          else `RR_RD(a_meta(28'(48)), S_LOAD_NEXT)
        end
        S_LOAD_NEXT: begin
          if (t < q) expq[0][t] <= 32'($signed(rdata[15:0]));
          else if (t < 2 * q) expq[1][t - q] <= 32'($signed(rdata[15:0]));
          else if (t < 3 * q) cxc[t - 2 * q] <= rdata[31:0];
          else cxe <= 32'($signed(rdata[15:0]));
          if (t == 3 * q) begin
            side <= 1'b0;
            state <= S_G_START;
          end else begin
            t <= t + 1;
            state <= S_LOAD;
          end
        end
        // ---- §4.2 Gram-Schmidt, two passes over columns 0..r-1 ----
        S_G_START: begin
          for (int k = 0; k < MQ; k++) begin
            coef_m[side][k] <= '0;
            coef_e[side][k] <= 0;
            live[side][k] <= 1'b0;
          end
          pass <= 1'b0;
          j <= 0;
          i <= 0;
          acc <= '0;
          state <= S_G_DOT_A;
        end
        S_G_DOT_A: `RR_RD(a_q(side, j, i, n), S_G_DOT_B)
        S_G_DOT_B: begin
          qv <= 64'($signed(rdata[15:0]));
          if (!pass && rdata[15:0] != 16'd0) live[side][j] <= 1'b1;
          `RR_RD(a_w(side, 28'(i)), S_G_DOT_C)
        end
        S_G_DOT_C: begin
          acc <= acc + qv * 64'($signed(rdata[31:0]));
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_G_DOT_A;
          end else begin
            state <= S_G_DOT_END;
          end
        end
        S_G_DOT_END: begin
          if (acc == 64'sd0) begin
            state <= S_G_NEXTJ;
          end else begin
            e = rr_bitlen(rr_mag(acc)) - 30;
            if (e < 0) e = 0;
            cm <= rr_shift_round(acc, e);
            ce <= expq[side][j] + exp_in[side] - 8 + e;
            tsh <= -2 * expq[side][j] - e;  // e_w - ce - e_Qj
            i <= 0;
            state <= S_G_UPD_A;
          end
        end
        S_G_UPD_A: `RR_RD(a_q(side, j, i, n), S_G_UPD_B)
        S_G_UPD_B: begin
          qv <= 64'($signed(rdata[15:0]));
          `RR_RD(a_w(side, 28'(i)), S_G_UPD_C)
        end
        S_G_UPD_C: begin
          d = 64'($signed(rdata[31:0])) - rr_shift_round(cm * qv, tsh);
          c = d > kSat ? kSat : (d < -kSat ? -kSat : d);
          if (c != d) sats <= sats + 32'd1;
          `RR_WR(a_w(side, 28'(i)), 64'(c), S_G_UPD_D)
        end
        S_G_UPD_D: begin
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_G_UPD_A;
          end else begin
            state <= S_G_COEF;
          end
        end
        S_G_COEF: begin
          if (coef_m[side][j] == 64'sd0) begin
            coef_m[side][j] <= cm;
            coef_e[side][j] <= ce;
          end else begin
            e = coef_e[side][j] > ce ? coef_e[side][j] : ce;
            coef_m[side][j] <= rr_shift_round(coef_m[side][j], e - coef_e[side][j]) + rr_shift_round(cm, e - ce);
            coef_e[side][j] <= e;
          end
          state <= S_G_NEXTJ;
        end
        S_G_NEXTJ: begin
          i <= 0;
          acc <= '0;
          if (j + 1 < r) begin
            j <= j + 1;
            state <= S_G_DOT_A;
          end else if (!pass) begin
            pass <= 1'b1;
            j <= 0;
            state <= S_G_DOT_A;
          end else begin
            big <= '0;
            state <= S_R_MAX_A;
          end
        end
        // ---- §4.3 the new column ----
        S_R_MAX_A: `RR_RD(a_w(side, 28'(i)), S_R_MAX_B)
        S_R_MAX_B: begin
          m = rr_mag(64'($signed(rdata[31:0])));
          if (m > big) big <= m;
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_R_MAX_A;
          end else begin
            state <= S_R_S;
          end
        end
        S_R_S: begin
          i <= 0;
          if (big == 64'd0) begin
            state <= S_R_VZ;
          end else begin
            ssh <= rr_bitlen(big) - 24;
            ev <= exp_in[side] - 8 + rr_bitlen(big) - 24;
            n2 <= '0;
            state <= S_R_N2_A;
          end
        end
        S_R_N2_A: `RR_RD(a_w(side, 28'(i)), S_R_N2_B)
        S_R_N2_B: begin
          v = rr_shift_round(64'($signed(rdata[31:0])), ssh);
          n2 <= n2 + 64'(v * v);
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_R_N2_A;
          end else begin
            state <= S_R_VT;
          end
        end
        S_R_VT: begin
          i <= 0;
          if (rr_scaled_le(n2, 2 * ev + 22, x2[side], 2 * exp_in[side])) begin
            state <= S_R_VZ;
          end else begin
            sq_in_valid <= 1'b1;
            sq_value <= n2;
            state <= S_R_SQ;
          end
        end
        S_R_SQ: begin
          if (sq_out_valid) begin
            norm <= 64'(sq_round);
            bn <= rr_bitlen(64'(sq_round));
            div_in_valid <= 1'b1;
            div_num <= 64'd1;
            div_den <= 64'(sq_round);
            div_frac <= 7'(rr_bitlen(64'(sq_round)) + 30);
            state <= S_R_DIV;
          end
        end
        S_R_DIV: begin
          if (div_out_valid) begin
            recip <= div_quot;
            big2 <= '0;
            state <= S_R_PM_A;
          end
        end
        S_R_PM_A: `RR_RD(a_w(side, 28'(i)), S_R_PM_B)
        S_R_PM_B: begin
          p = rr_shift_round(64'($signed(rdata[31:0])), ssh) * $signed(recip);
          m = rr_mag(p);
          if (m > big2) big2 <= m;
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_R_PM_A;
          end else begin
            state <= S_R_PE;
          end
        end
        S_R_PE: begin
          eq <= rr_fit_exp(big2, -(bn + 30), 15);
          i <= 0;
          state <= S_R_PW_A;
        end
        S_R_PW_A: `RR_RD(a_w(side, 28'(i)), S_R_PW_B)
        S_R_PW_B: begin
          p = rr_shift_round(64'($signed(rdata[31:0])), ssh) * $signed(recip);
          `RR_WR(a_q(side, r, i, n), 64'(rr_shift_round(p, eq + bn + 30)), S_R_PW_C)
        end
        S_R_PW_C: begin
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_R_PW_A;
          end else begin
            state <= S_R_END;
          end
        end
        S_R_END: begin
          expq[side][r] <= eq;
          live[side][r] <= 1'b1;
          coef_m[side][r] <= $signed(norm);
          coef_e[side][r] <= ev;
          state <= S_R_SIDE;
        end
        S_R_VZ: `RR_WR(a_q(side, r, i, n), 64'd0, S_R_VZ_NEXT)
        S_R_VZ_NEXT: begin
          if (i + 1 < n) begin
            i <= i + 1;
            state <= S_R_VZ;
          end else begin
            expq[side][r] <= 0;
            live[side][r] <= 1'b0;
            coef_m[side][r] <= '0;
            coef_e[side][r] <= 0;
            van[side] <= 1'b1;
            state <= S_R_SIDE;
          end
        end
        S_R_SIDE: begin
          if (side == 1'b0) begin
            side <= 1'b1;
            state <= S_G_START;
          end else begin
            side <= 1'b0;
            state <= S_BLK;
          end
        end
        // ---- §4.4 c_L, c_R blocks (b = 30), one side per cycle ----
        S_BLK: begin
          any = 1'b0;
          top = 0;
          for (int k = 0; k < MQ; k++)
            if (k < q && coef_m[side][k] != 64'sd0) begin
              ee = coef_e[side][k] + rr_bitlen(rr_mag(coef_m[side][k]));
              if (!any || ee > top) top = ee;
              any = 1'b1;
            end
          e = any ? top - 30 : 0;
          ee = e;
          for (int k = 0; k < MQ; k++)
            if (k < q && coef_m[side][k] != 64'sd0 &&
                rr_shift_round($signed(rr_mag(coef_m[side][k])), e - coef_e[side][k]) > 64'sd1073741823)
              ee = e + 1;
          for (int k = 0; k < MQ; k++)
            cblk[side][k] <= (k < q && coef_m[side][k] != 64'sd0) ?
                rr_shift_round(coef_m[side][k], ee - coef_e[side][k]) : 64'sd0;
          eblk[side] <= ee;
          if (side == 1'b0) begin
            side <= 1'b1;
          end else begin
            side <= 1'b0;
            t <= 0;
            summax <= '0;
            state <= S_CORE;
          end
        end
        // ---- §4.5 core sums S, one entry per cycle (t = c q + i) ----
        S_CORE: begin
          any = 1'b0;
          for (int k = 0; k < MQ; k++)
            if (cxc[k] != 32'd0) any = 1'b1;
          e = eblk[0] + eblk[1];
          ee = (any && cxe - 29 > e) ? cxe - 29 : e;  // E_A
          ea <= ee;
          s = rr_shift_round(cblk[0][t % q] * cblk[1][t / q], ee - e);
          if (t % q == t / q && cxc[t % q] != 32'd0) s = s + rr_shift_round(64'(cxc[t % q]), ee - cxe);
          sum[(t / q) * MQ + t % q] <= s;
          if (rr_mag(s) > summax) summax <= rr_mag(s);
          if (t + 1 < q * q) t <= t + 1;
          else state <= S_KAPPA;
        end
        // ---- §4.6 degenerate pairs and the kappa test ----
        S_KAPPA: begin
          lhs = 128'(sum[0]) <<< 8;
          rhs = $signed({92'd0, kappa}) * 128'(sum[(q - 1) * MQ + q - 1]);
          if (!van[0] && !van[1] && kappa != 36'd0 && lhs > rhs) begin
            skip <= 1'b1;
            t <= 0;
            state <= S_FIN;
          end else begin
            state <= S_EC;
          end
        end
        S_EC: begin
          ec <= rr_fit_exp(summax, ea, 26);
          t <= 0;
          state <= S_CONV;
        end
        // ---- §4.7 C in 27-bit codes, U = V = I ----
        S_CONV: begin
          for (int k = 0; k < MM; k++) begin
            tm[k] = (k % MQ < q && k / MQ < q) ? rr_shift_round(sum[k], ec - ea) : 64'sd0;
            tu[k] = (k % MQ == k / MQ) ? kOne30 : 64'sd0;
          end
          for (int k1 = 0; k1 < MQ; k1++)
            for (int k2 = 0; k2 < MQ; k2++) begin
              ja[k1 * MQ + k2] <= tm[k1 * MQ + k2];
              ju[k1 * MQ + k2] <= tu[k1 * MQ + k2];
              jv[k1 * MQ + k2] <= tu[k1 * MQ + k2];
            end
          sweep <= 0;
          jp <= 0;
          jk <= 1;
          state <= S_J_PAIR;
        end
        // ---- §4.7 two-sided cyclic Jacobi, 8 sweeps ----
        S_J_PAIR: begin
          // at(a, row, col) = a[col MQ + row]; x = C_pk, y = C_kp
          if (ja[jk * MQ + jp] == 64'sd0 && ja[jp * MQ + jk] == 64'sd0) begin
            state <= S_J_NEXT;
          end else begin
            co_in_valid <= 1'b1;
            co_rotate <= 1'b0;
            co_y <= -(ja[jk * MQ + jp] + ja[jp * MQ + jk]);
            co_x <= ja[jp * MQ + jp] - ja[jk * MQ + jk];
            co_angle <= '0;
            state <= S_J_A1;
          end
        end
        S_J_A1: begin
          if (co_out_valid) begin
            th_sum <= 64'(co_out_angle);
            co_in_valid <= 1'b1;
            co_rotate <= 1'b0;
            co_y <= ja[jp * MQ + jk] - ja[jk * MQ + jp];
            co_x <= ja[jp * MQ + jp] + ja[jk * MQ + jk];
            state <= S_J_A2;
          end
        end
        S_J_A2: begin
          if (co_out_valid) begin
            // alpha = (sum - diff) >> 1, beta = (sum + diff) >> 1 (floor)
            co_in_valid <= 1'b1;
            co_rotate <= 1'b1;
            co_angle <= (th_sum - 64'(co_out_angle)) >>> 1;
            th_sum <= (th_sum + 64'(co_out_angle)) >>> 1;  // beta, kept for the second call
            state <= S_J_C1;
          end
        end
        S_J_C1: begin
          if (co_out_valid) begin
            ca <= 64'(co_cos);
            sa <= 64'(co_sin);
            co_in_valid <= 1'b1;
            co_rotate <= 1'b1;
            co_angle <= th_sum;
            state <= S_J_C2;
          end
        end
        S_J_C2: begin
          if (co_out_valid) begin
            cb <= 64'(co_cos);
            sb <= 64'(co_sin);
            t <= 0;
            state <= S_J_ROW;
          end
        end
        S_J_ROW: begin  // rows p, k: (C_pj, C_kj) with (ca, sa)
          ja[t * MQ + jp] <= rr_rot_a(ca, sa, ja[t * MQ + jp], ja[t * MQ + jk]);
          ja[t * MQ + jk] <= rr_rot_b(ca, sa, ja[t * MQ + jp], ja[t * MQ + jk]);
          if (t + 1 < q) t <= t + 1;
          else begin
            t <= 0;
            state <= S_J_COL;
          end
        end
        S_J_COL: begin  // columns p, k: (C_ip, C_ik) with (cb, sb)
          ja[jp * MQ + t] <= rr_rot_a(cb, sb, ja[jp * MQ + t], ja[jk * MQ + t]);
          ja[jk * MQ + t] <= rr_rot_b(cb, sb, ja[jp * MQ + t], ja[jk * MQ + t]);
          if (t + 1 < q) t <= t + 1;
          else begin
            t <= 0;
            state <= S_J_UV;
          end
        end
        S_J_UV: begin
          if (t == 0) begin
            ja[jk * MQ + jp] <= '0;
            ja[jp * MQ + jk] <= '0;
          end
          ju[jp * MQ + t] <= rr_rot_a(ca, sa, ju[jp * MQ + t], ju[jk * MQ + t]);
          ju[jk * MQ + t] <= rr_rot_b(ca, sa, ju[jp * MQ + t], ju[jk * MQ + t]);
          jv[jp * MQ + t] <= rr_rot_a(cb, sb, jv[jp * MQ + t], jv[jk * MQ + t]);
          jv[jk * MQ + t] <= rr_rot_b(cb, sb, jv[jp * MQ + t], jv[jk * MQ + t]);
          if (t + 1 < q) t <= t + 1;
          else state <= S_J_NEXT;
        end
        S_J_NEXT: begin
          if (jk + 1 < q) begin
            jk <= jk + 1;
            state <= S_J_PAIR;
          end else if (jp + 2 < q) begin
            jp <= jp + 1;
            jk <= jp + 2;
            state <= S_J_PAIR;
          end else if (sweep + 1 < Sweeps) begin
            sweep <= sweep + 1;
            jp <= 0;
            jk <= 1;
            state <= S_J_PAIR;
          end else begin
            state <= S_J_SIG;
          end
        end
        S_J_SIG: begin  // sigma_i = |C_ii|, negating U's column i with it
          for (int k = 0; k < MQ; k++) begin
            sig[k] <= (ja[k * MQ + k] < 0) ? -ja[k * MQ + k] : ja[k * MQ + k];
            taken[k] <= 1'b0;
            for (int row = 0; row < MQ; row++)
              if (ja[k * MQ + k] < 0) ju[k * MQ + row] <= -ju[k * MQ + row];
          end
          t <= 0;
          state <= S_J_SORT;
        end
        S_J_SORT: begin  // t-th largest sigma (ties: lowest index), U column sign convention
          best = -1;
          for (int k = 0; k < MQ; k++)
            if (k < q && !taken[k] && (best < 0 || sig[k] > sig[best])) best = k;
          pivot = 0;
          for (int row = 1; row < MQ; row++)
            if (row < q && rr_mag(ju[best * MQ + row]) > rr_mag(ju[best * MQ + pivot])) pivot = row;
          taken[best] <= 1'b1;
          for (int row = 0; row < MQ; row++) begin
            su[t * MQ + row] <= (ju[best * MQ + pivot] < 0) ? -ju[best * MQ + row] : ju[best * MQ + row];
            sv[t * MQ + row] <= (ju[best * MQ + pivot] < 0) ? -jv[best * MQ + row] : jv[best * MQ + row];
          end
          hv[t] <= sig[best];  // sorted sigma
          if (t + 1 < q) t <= t + 1;
          else state <= S_SP_START;
        end
        // ---- §4.8 spectrum reduction (hv: sorted sigma; reused for x0 below) ----
        S_SP_START: begin
          for (int k = 0; k < MM; k++) tm[k] = '0;
          for (int k = 0; k < MQ; k++) begin
            cxn[k] <= '0;
            sig[k] <= hv[k];
          end
          if (!mode) begin
            for (int k = 0; k < MQ; k++)
              if (k < r) begin
                tm[k * MQ + k] = kOne30;
                cxn[k] <= hv[k];
              end
            for (int k1 = 0; k1 < MQ; k1++)
              for (int k2 = 0; k2 < MQ; k2++) qx[k1 * MQ + k2] <= tm[k1 * MQ + k2];
            kept <= 4'(r);
            t <= 0;
            state <= S_MIX;
          end else begin
            // suffix sums, m0, k, s1
            e = q - 2;
            for (int k = MQ - 3; k >= 0; k--) begin
              s = 0;
              for (int k2 = 0; k2 < MQ; k2++)
                if (k2 >= k && k2 < q) s = s + hv[k2];
              if (k < q - 2 && 64'(q) * hv[k] - 64'(k) * hv[k] - hv[k] <= s) e = k;
            end
            s = 0;
            for (int k2 = 0; k2 < MQ; k2++)
              if (k2 >= e && k2 < q) s = s + hv[k2];
            m0 <= e;
            kk <= q - 1 - e;
            s1 <= s;
            kept <= 4'(e);
            for (int k = 0; k < MQ; k++)
              if (k < e || (s == 0 && k < r)) begin
                tm[k * MQ + k] = kOne30;
                cxn[k] <= hv[k];
              end
            for (int k1 = 0; k1 < MQ; k1++)
              for (int k2 = 0; k2 < MQ; k2++) qx[k1 * MQ + k2] <= tm[k1 * MQ + k2];
            t <= 0;
            state <= (s == 0) ? S_MIX : S_SP_DIV;
          end
        end
        S_SP_DIV: begin  // x0_t = isqrt_round(div_round(s1 - k sigma_{m0+t}, s1, 60))
          div_in_valid <= 1'b1;
          div_num <= 64'(s1 - 64'(kk) * sig[m0 + t]);
          div_den <= 64'(s1);
          div_frac <= 7'd60;
          state <= S_SP_DIVW;
        end
        S_SP_DIVW: begin
          if (div_out_valid) begin
            sq_in_valid <= 1'b1;
            sq_value <= div_quot;
            state <= S_SP_SQW;
          end
        end
        S_SP_SQW: begin
          if (sq_out_valid) begin
            hv[t] <= 64'(sq_round);
            if (t + 1 <= kk) begin
              t <= t + 1;
              state <= S_SP_DIV;
            end else begin
              state <= S_SP_INV;
            end
          end
        end
        S_SP_INV: begin
          hv[0] <= hv[0] - kOne30;
          div_in_valid <= 1'b1;
          div_num <= 64'd1;
          div_den <= rr_mag(hv[0] - kOne30);
          div_frac <= 7'd60;
          state <= S_SP_INVW;
        end
        S_SP_INVW: begin
          if (div_out_valid) begin
            inv_v0 <= $signed(div_quot);
            div_in_valid <= 1'b1;
            div_num <= 64'(s1);
            div_den <= 64'(kk);
            div_frac <= 7'd0;
            state <= S_SP_MWW;
          end
        end
        S_SP_MWW: begin
          if (div_out_valid) begin
            for (int k = 0; k < MQ; k++)
              if (k >= m0 && k < r) cxn[k] <= $signed(div_quot);
            t <= 1;
            state <= S_SP_H;
          end
        end
        S_SP_H: begin  // Householder column t (1..k) into Q_x column m0 + t - 1
          g = rr_shift_round(hv[t] * inv_v0, 30);
          for (int k = 0; k < MQ; k++)
            if (k <= kk) begin
              hh = ((k == t) ? kOne30 : 64'sd0) - rr_shift_round(hv[k] * g, 30);
              qx[(m0 + t - 1) * MQ + m0 + k] <= sign_word[k] ? -hh : hh;
            end
          if (t + 1 <= kk) t <= t + 1;
          else begin
            t <= 0;
            state <= S_MIX;
          end
        end
        // ---- §4.9 mixing matrices, one entry (both sides) per cycle: t = j q + i ----
        S_MIX: begin
          s = 0;
          v = 0;
          for (int k = 0; k < MQ; k++)
            if (k < q) begin
              s = s + su[k * MQ + t % q] * qx[(t / q) * MQ + k];
              v = v + sv[k * MQ + t % q] * qx[(t / q) * MQ + k];
            end
          mix[0][(t / q) * MQ + t % q] <= rr_shift_round(s, 30);
          mix[1][(t / q) * MQ + t % q] <= rr_shift_round(v, 30);
          if (t + 1 < r * q) t <= t + 1;
          else state <= S_CXN;
        end
        S_CXN: begin  // new c_x: unsigned block, b = 31, at E_C
          m = 0;
          for (int k = 0; k < MQ; k++)
            if (k < r && 64'(cxn[k]) > m) m = 64'(cxn[k]);
          e = rr_fit_exp(m, ec, 31);
          exn <= e;
          for (int k = 0; k < MQ; k++)
            cxnew[k] <= (k < r) ? 32'(rr_shift_round(cxn[k], e - ec)) : 32'd0;
          side <= 1'b0;
          state <= S_U_START;
        end
        // ---- §4.10 basis update, row by row: pass 0 finds max |acc_j|, pass 1 writes ----
        S_U_START: begin
          any = 1'b0;
          e = 0;
          for (int k = 0; k < MQ; k++)
            if (k < q && live[side][k]) begin
              if (!any || expq[side][k] > e) e = expq[side][k];
              any = 1'b1;
            end
          eref <= e;
          for (int k = 0; k < MM; k++)
            tm[k] = (k % MQ < q && live[side][k % MQ]) ? rr_shift_round(mix[side][k], e - expq[side][k % MQ])
                                                        : 64'sd0;
          for (int k1 = 0; k1 < MQ; k1++)
            for (int k2 = 0; k2 < MQ; k2++) scaled[k1 * MQ + k2] <= tm[k1 * MQ + k2];
          for (int k = 0; k < MQ; k++) bigc[k] <= '0;
          pass <= 1'b0;
          i <= 0;
          l <= 0;
          state <= S_U_RD;
        end
        S_U_RD: `RR_RD(a_q(side, l, i, n), S_U_RD_B)
        S_U_RD_B: begin
          qrow[l] <= 64'($signed(rdata[15:0]));
          if (l + 1 < q) begin
            l <= l + 1;
            state <= S_U_RD;
          end else begin
            l <= 0;
            t <= 0;
            state <= S_U_ACC;
          end
        end
        S_U_ACC: begin  // column t of row i
          s = 0;
          for (int k = 0; k < MQ; k++)
            if (k < q) s = s + qrow[k] * scaled[t * MQ + k];
          if (cxnew[t] == 32'd0) s = 0;
          if (!pass) begin
            if (rr_mag(s) > bigc[t]) bigc[t] <= rr_mag(s);
            state <= S_U_ACC_NEXT;
          end else begin
            `RR_WR(a_q(side, t, i, n), 64'(rr_shift_round(s, ecol[t] - (eref - 30))), S_U_ACC_NEXT)
          end
        end
        S_U_ACC_NEXT: begin
          if (t + 1 < r) begin
            t <= t + 1;
            state <= S_U_ACC;
          end else if (i + 1 < n) begin
            i <= i + 1;
            state <= S_U_RD;
          end else if (!pass) begin
            state <= S_U_EXP;
          end else begin
            for (int k = 0; k < MQ; k++)
              if (k < r) begin
                expq[side][k] <= ecol[k];
                live[side][k] <= bigc[k] != 64'd0;
              end
            state <= S_U_SIDE;
          end
        end
        S_U_EXP: begin
          for (int k = 0; k < MQ; k++) ecol[k] <= rr_fit_exp(bigc[k], eref - 30, 15);
          pass <= 1'b1;
          i <= 0;
          state <= S_U_RD;
        end
        S_U_SIDE: begin
          if (side == 1'b0) begin
            side <= 1'b1;
            state <= S_U_START;
          end else begin
            for (int k = 0; k < MQ; k++) cxc[k] <= cxnew[k];
            cxe <= exn;
            t <= 0;
            state <= S_FIN;
          end
        end
        // ---- write back exponents, c_x, its exponent ----
        S_FIN: begin
          if (t < q) `RR_WR(a_meta(28'(t)), 64'($signed(16'(expq[0][t]))), S_FIN_NEXT)
          else if (t < 2 * q) `RR_WR(a_meta(28'(16 + t - q)), 64'($signed(16'(expq[1][t - q]))), S_FIN_NEXT)
          else if (t < 3 * q) `RR_WR(a_meta(28'(32 + t - 2 * q)), 64'(cxc[t - 2 * q]), S_FIN_NEXT)
          else `RR_WR(a_meta(28'(48)), 64'($signed(16'(cxe))), S_FIN_NEXT)
        end
        S_FIN_NEXT: begin
          if (t == 3 * q) begin
            state <= S_DONE;
            done_valid <= 1'b1;
          end else begin
            t <= t + 1;
            state <= S_FIN;
          end
        end
        S_DONE: begin
          if (done_ready) begin
            done_valid <= 1'b0;
            state <= S_IDLE;
          end
        end
        default: state <= S_IDLE;
      endcase
    end
  end

`undef RR_RD
`undef RR_WR

  assign done_zero_input = zero_in;
  assign done_vanished_left = van[0];
  assign done_vanished_right = van[1];
  assign done_skipped_kappa = skip;
  assign done_kept = kept;
  assign done_sign_word = sign_word;
  assign done_c_exponent = 32'(ec);
  assign done_saturations = sats;
endmodule
