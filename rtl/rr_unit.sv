// Rank-reduce unit: one fixed-point rankReduce step per pair (docs/fixed_point_rank_reduce.md
// §4, bit for bit; docs/rtl.md describes the ports, the memory map and the schedule).
// A time-multiplexed micro-architecture: a top sequencer (input, metadata, side loops,
// write-back) starts five phase FSMs (Gram-Schmidt + new column, core, Jacobi + sort, spectrum
// + mixing, basis update) with start / done handshakes and grants the datapath to one of them
// at a time; the datapath is built once: one shared 37 x 34-bit multiplier (every product, one
// per cycle: the Gram-Schmidt dot products in the cycles the memory port leaves free, the basis
// update one row at a time, the sign word) with a 64-bit accumulator and one adder, a shared
// normalizer (bit length + rounding shifter: the block exponents and most roundings), one
// operand shifter, small per-step blocks (each active in its state only), the iterative
// primitives rr_divider, rr_isqrt and rr_cordic at the operand widths the unit needs (their
// operands not copied), address counters (no multiplier in any address), the q x q matrices
// at 32 bits in four 1R1W register files (rr_regfile), the q-vectors in ten more (one entry
// read per cycle) and registers at the widths the spec's ranges need, shared between disjoint
// phases. One memory access in flight. Every phase has a fixed latency given the pair's
// outcome (docs/rtl.md; the closed form: models/hw/rr_unit_timing.h).
//
// Ports
//  * cfg_*: rank (1..MAX_RANK), n_o, n_i (1..MAX_N), mode (0 biased, 1 unbiased), kappa code
//    round(kappa_th 2^8), seed (low 32 bits); copied when a pair starts. cfg_pair_load/cfg_pair sets
//    the pair counter (resume); it counts every accepted pair and keys the sign word.
//  * start_valid/start_ready with the block exponents of dz and a, then n_o dz codes and n_i a
//    codes on code_valid/code_ready.
//  * One memory port to the SRAM (valid/ready request, in-order read responses, one request
//    in flight): address {region[3:0], index[27:0]}, 64-bit words:
//      region 0/1: Q_L / Q_R codes, four per word: column j, rows 4b..4b+3 (int16, row 4b + m
//                  in bits 16m+15:16m, rows >= n zero) at index j ceil(n/4) + b
//      region 2/3: scratch residual words w of the left / right side, two per word: rows 2b,
//                  2b + 1 (int32 in bits 31:0, 63:32; row n zero) at index b
//      region 4: index j: exponent of Q_L column j; 16 + j: Q_R column j; 32 + j: c_x code j;
//                48: c_x exponent (int16 in bits 15:0, c_x codes in bits 31:0)
//    A zero input (§4.1) writes the scratch only.
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
  localparam logic signed [31:0] kOne30s = 32'sd1073741824;
  localparam logic signed [63:0] kSat = 64'sd2147483647;
  localparam int Sweeps = 8;
  // Register widths the spec's ranges need (docs/fixed_point_rank_reduce.md §3): the rank and
  // small indices (0..3q = 27 for the metadata words, and a sign: CW), rows and lengths
  // (0..16384: NW), exponents (inputs
  // |e| <= 2047, state exponents in 16-bit registers, sums of a few of them: EW). Each such
  // register X_r is read through a 32-bit signed view X (sign extension, no logic).
  localparam int CW = 6;
  localparam int NW = 16;
  localparam int EW = 20;
  // Fixed waits that make every phase's latency independent of the data (docs/rtl.md): a
  // CORDIC result is taken CoWait edges after its issue ((0, 0) answers early), the residual
  // reciprocal DivWait edges after (its frac = bN + 30 varies with the norm).
  localparam logic [7:0] CoWait = 8'd34;
  localparam logic [7:0] DivWait = 8'd130;

  if (MAX_RANK < 1 || MAX_RANK > 8 || MAX_N < 1 || MAX_N > 16384 || ADDR_W != 32 || DATA_W != 64)
  begin : g_bad_parameters
    $error("rr_unit: MAX_RANK in 1..8, MAX_N in 1..16384, ADDR_W = 32, DATA_W = 64");
  end

  // One small FSM per phase, each with its own state register (disjoint codes, so that the
  // datapath can decode the granted phase's state, `state`, by name): the top sequencer (input,
  // metadata, side loops, write-back; S_T_* wait for a phase, S_T_MEM for the memory port) and
  // the five phases it starts (each idle until its start, done in its last state). S_G_MEM and
  // S_U_MEM wait for the memory port.
  typedef enum logic [6:0] {
    S_IDLE = 7'd0, S_IN, S_IN_NEXT, S_ZERO_CHECK, S_LOAD, S_LOAD_NEXT, S_T_MEM,
    S_T_GS, S_T_CORE, S_T_JAC, S_T_SPM, S_T_UPD, S_FIN, S_FIN_NEXT, S_DONE
  } top_state_t;
  typedef enum logic [6:0] {
    S_G_IDLE = 7'd16, S_G_MEM,
    S_G_START, S_G_DOT_A, S_G_DOT_B, S_G_DOT_C, S_G_DOT_D, S_G_DOT_END,
    S_G_UPD_A, S_G_UPD_B, S_G_UPD_C, S_G_UPD_D, S_G_UPD_E, S_G_COEF, S_G_NEXTJ,
    S_R_MAX_A, S_R_MAX_B, S_R_S, S_R_N2_A, S_R_N2_B, S_R_VT, S_R_SQ, S_R_DIV,
    S_R_PM_A, S_R_PM_B, S_R_PE, S_R_PW_A, S_R_PW_B, S_R_PW_C, S_R_END, S_R_VZ, S_R_VZ_NEXT, S_R_SIDE
  } gs_state_t;
  typedef enum logic [6:0] {
    S_C_IDLE = 7'd56, S_BLK, S_CORE, S_KAPPA, S_KAPPA2, S_KAPPA3, S_EC, S_CONV
  } core_state_t;
  typedef enum logic [6:0] {
    S_J_IDLE = 7'd64, S_J_P0, S_J_P1, S_J_P2, S_J_PAIR, S_J_A1, S_J_A2, S_J_C1, S_J_C2, S_J_ROT,
    S_J_NEXT, S_J_SIG, S_J_SORT
  } jac_state_t;
  typedef enum logic [6:0] {
    S_SP_IDLE = 7'd80, S_SP_START, S_SP_M0, S_SP_DIV, S_SP_DIVW, S_SP_SQW, S_SP_INV, S_SP_INVW,
    S_SP_MWW, S_SP_G, S_SP_H, S_MIX, S_CXN, S_CXN_W
  } spm_state_t;
  typedef enum logic [6:0] {
    S_U_IDLE = 7'd96, S_U_MEM, S_U_START, S_U_RD, S_U_RD_B, S_U_ACC, S_U_LANE, S_U_ACC_NEXT,
    S_U_EXP, S_U_SIDE
  } upd_state_t;
  typedef enum logic [2:0] {O_TOP, O_GS, O_CORE, O_JAC, O_SPM, O_UPD} owner_t;

  top_state_t top_st, top_ret;
  gs_state_t gs_st, gs_ret;
  core_state_t co_st;
  jac_state_t ja_st;
  spm_state_t sp_st;
  upd_state_t up_st, up_ret;
  owner_t owner;          // the phase the shared datapath is granted to
  logic [6:0] state;      // its state

  // ---------------- configuration, copied when a pair starts ----------------
  // Latched rather than read from the ports all through the pair: the datapath then depends on
  // registers only, and Verilator's input-combinational region (evaluated on every clock) stays
  // small: read from the ports it took 23 % of the co-simulation's time (docs/performance.md).
  logic [3:0] rank_r;
  logic [14:0] n_len_r [2];
  logic mode_r;
  logic [35:0] kappa_r;
  logic [31:0] seed_r;
  logic signed [31:0] r, q;
  logic signed [31:0] n_len [2];
  logic mode;
  logic [35:0] kappa;
  logic [31:0] seed;

  // ---------------- memory interface ----------------
  logic [DATA_W-1:0] rdata;  // last read response
  // word address counters: j W, r W, l W + b, t W + b with W = ceil(n/4) words per Q column
  // and b the row block (< q W <= 9 2^12 < 2^18)
  localparam int IW = 18;
  logic [IW-1:0] cbase, rbase, lad, tad;
  logic signed [31:0] n;  // this side's length
  logic [IW-1:0] nix;     // W: words per Q column of this side
  // Packed words: qw a Q word (four codes: the Gram-Schmidt's, the new column's and the
  // update's word being built); wa the low half of a scratch word being built (input,
  // Gram-Schmidt update).
  logic [63:0] qw;
  logic [31:0] wa;
  logic signed [31:0] w_sel;  // the scratch element of this cycle: a half of rdata
  logic [1:0] ln;             // S_U_ACC / S_U_LANE: the row of the block (lane)

  // ---------------- state and scratch registers ----------------
  logic side;   // 0 left (dz, Q_L), 1 right (a, Q_R)
  logic pass;
  logic signed [NW-1:0] i_r, l_r;
  logic signed [CW-1:0] j_r, t_r, k_r, sweep_r, jp_r, jk_r, ci_r, cj_r;
  logic signed [31:0] i, j, l, t, k;
  logic signed [31:0] sweep, jp, jk, ci, cj;
  logic [1:0] rk;   // Jacobi rotation pass: 0 rows of C, 1 columns of C, 2 U, 3 V
  logic [1:0] ph;   // step of one plane rotation through the shared multiplier
  logic jdry;       // an exactly-zero pair: the rotation runs with its writes suppressed
  logic spdry;      // unbiased with s1 = 0: the mixing runs with its writes suppressed
  logic [7:0] cw;   // edges since the last CORDIC / divider issue
  logic signed [EW-1:0] exp_in_r [2];
  logic signed [31:0] exp_in [2];
  logic [44:0] x2_r [2];  // |x|^2 <= n 2^30 <= 2^44
  logic [63:0] x2 [2];
  logic nonzero [2];
  logic upd [2];  // side s's columns < r have their new exponents (u_ec) after its update
  logic live [2][MQ];
  logic cx_val [MQ];  // c_x code j written since the load (S_LOAD) or the new block (S_CXN)
  logic cx_any;       // some loaded c_x code is nonzero
  logic signed [EW-1:0] cxe_r;
  logic signed [31:0] cxe;
  logic cf_val [2][MQ];  // coefficient (side, j) written since its side's S_G_START
  logic signed [63:0] acc;
  logic signed [31:0] cm;  // Gram-Schmidt coefficient (|cm| <= 2^30); a rotated entry
  logic signed [15:0] qv;  // the code of this cycle: a lane of qw (of u_qr in S_U_ACC)
  logic signed [EW-1:0] ce_r, tsh_r;
  logic signed [31:0] ce, tsh;
  // One register for the new column's two maxima: max |w| of the int32 scratch (S_R_MAX_*,
  // read in S_R_S), then max |v R| < 2^55 (§4.3, S_R_PM_*, read in S_R_PE); n2 lives in acc.
  logic [55:0] big_r;
  logic [63:0] big, n2, big2;
  logic big_gt;          // this cycle's magnitude (mag) beats the running maximum
  logic signed [63:0] mag_in;
  logic [63:0] mag, max_ref;
  // Registers of disjoint phases share storage (views below): nr_r holds N <= 2^31 (new
  // column), then 1/|v_0| (spectrum, < 2^33); rg_r R <= 2^31, then g; ts_r the CORDIC angle sum
  // (Jacobi), the sort's pivot (pval), then s1 (< 9 2^31).
  logic signed [33:0] nr_r, rg_r;
  logic signed [39:0] ts_r;
  logic [33:0] norm;
  logic [31:0] recip;
  logic signed [EW-1:0] ssh_r, ev_r, bn_r, eq_r;
  logic signed [31:0] ssh, ev, bn, eq;
  logic van [2];
  logic signed [EW-1:0] eblk_r [2];
  logic signed [31:0] eblk [2];
  logic signed [63:0] s00, srr;
  // kappa test S_00 2^8 > kappa S_rr (< 2^97) over three 27-bit limbs of S_rr, low limb first:
  // D = S_00 2^8 - kappa S_rr = 2^54 R2 + 2^27 L1 + L0 with 0 <= L < 2^27, so only the running
  // difference floor(R / 2^27) (kres) and whether a dropped limb was nonzero (knz) are kept.
  logic signed [47:0] kres;  // (held in s00's register: S_00 is not needed after S_KAPPA)
  logic knz;
  logic [63:0] summax;  // max |S_ij| (S_CORE, read in S_EC): held in acc
  logic signed [EW-1:0] ea_r, ec_r;
  logic signed [31:0] ea, ec;
  // q x q matrices at the spec's 32 bits (§3: |C| < 2^30 rotated, U, V, Q_x, M in Q2.30), each
  // in a 1R1W register file (rr_regfile), entry (row, col) at col MQ + row: ja holds C during
  // the Jacobi, then Q_x (q x r) for the mixing; ju U, jv V; mx M_L then M_R (q x r each).
  localparam int MX = 2 * MAX_RANK * MQ;
  localparam int AWM = $clog2(MM);
  localparam int AWX = $clog2(MX);
  logic ja_we, ju_we, jv_we, mx_we;
  logic [AWM-1:0] ja_wa, ja_ra, ju_wa, ju_ra, jv_wa, jv_ra;
  logic [AWX-1:0] mx_wa, mx_ra;
  logic signed [31:0] ja_wd, ju_wd, jv_wd, mx_wd, ja_rd, ju_rd, jv_rd, mx_rd;
  logic signed [31:0] ra, rb;      // the two entries of the rotation in flight
  logic signed [31:0] ca, sa;  // cos / sin alpha (beta's stay in the CORDIC's output register)
  logic signed [39:0] th_sum;  // sums of two CORDIC angles (|angle| <= 2^34): ts_r
  logic neg [MQ];                  // C_kk < 0 (U column k negated, applied when read)
  logic taken [MQ];
  logic signed [CW-1:0] sbest_r, nb_r;  // the column being sorted; the best one for the next position
  logic signed [32:0] bv_r, nbv_r;       // their sigma
  logic nb_any;
  logic signed [31:0] sbest, pval;  // the column being sorted, its largest entry so far (ts_r)
  logic [3:0] perm [MQ];           // sorted position -> Jacobi column
  logic fu [MQ], fv [MQ];          // sign of sorted U / V column
  // The new c_x values (§4.8) are not stored: value j < r is the sorted sigma_j (u_hs, sorted
  // descending) for j < cx_lim, else s1 / k (< 9 2^31); cx_lim = r (biased, or s1 = 0) or m0.
  logic signed [36:0] s1k_r;
  logic signed [31:0] cx_lim;
  logic [63:0] cxn_t;
  logic signed [39:0] s1_r;  // suffix of sigma, < 9 2^31 (ts_r)
  logic signed [63:0] s1;
  logic signed [33:0] inv_v0, gg;
  logic signed [CW-1:0] m0_r, kk_r;
  logic signed [31:0] m0, kk;
  logic [3:0] kept;
  logic signed [EW-1:0] exn_r;
  logic signed [EW-1:0] eref_r [2];  // e_ref of each side, found in S_BLK (ph 0)
  logic eref_any [2];
  logic signed [31:0] exn, eref;
  logic [31:0] sign_word, sats;
  logic skip, zero_in;

  // 32-bit signed views of the narrow registers
  always_comb begin : views
    r = 32'(rank_r);
    q = 32'(rank_r) + 1;
    mode = mode_r;
    kappa = kappa_r;
    seed = seed_r;
    i = 32'(i_r);
    l = 32'(l_r);
    j = 32'(j_r);
    t = 32'(t_r);
    k = 32'(k_r);
    sweep = 32'(sweep_r);
    jp = 32'(jp_r);
    jk = 32'(jk_r);
    ci = 32'(ci_r);
    cj = 32'(cj_r);
    m0 = 32'(m0_r);
    kk = 32'(kk_r);
    sbest = 32'(sbest_r);
    cxe = 32'(cxe_r);
    ce = 32'(ce_r);
    tsh = 32'(tsh_r);
    ssh = 32'(ssh_r);
    ev = 32'(ev_r);
    bn = 32'(bn_r);
    eq = 32'(eq_r);
    ea = 32'(ea_r);
    ec = 32'(ec_r);
    exn = 32'(exn_r);
    eref = 32'(eref_r[side]);
    summax = acc;
    kres = 48'(s00);
    n_len[0] = 32'(n_len_r[0]);
    n_len[1] = 32'(n_len_r[1]);
    for (int s2 = 0; s2 < 2; s2++) begin
      exp_in[s2] = 32'(exp_in_r[s2]);
      x2[s2] = 64'(x2_r[s2]);
      eblk[s2] = 32'(eblk_r[s2]);
    end
    n = n_len[side];
    nix = IW'((n_len[side] + 3) >>> 2);
    big = 64'(big_r);
    big2 = 64'(big_r);
    n2 = acc;
    norm = nr_r;
    inv_v0 = nr_r;
    recip = rg_r[31:0];
    gg = rg_r;
    th_sum = ts_r;
    pval = 32'(ts_r);
    s1_r = ts_r;
    s1 = 64'(s1_r);
  end

  // ---------------- primitives ----------------
  logic div_in_valid, div_in_ready, div_out_valid, div_out_ready, div_out_error;
  logic [35:0] div_num, div_den;  // num, den < 2^35 at every call site (§4.3, §4.8)
  logic [63:0] div_quot;
  logic [6:0] div_frac;
  rr_divider #(.W(64), .FW(7), .DW(36)) u_div (
      .clk, .rst, .in_valid(div_in_valid), .in_ready(div_in_ready), .in_num(64'(div_num)), .in_den(64'(div_den)),
      .in_frac(div_frac), .out_valid(div_out_valid), .out_ready(div_out_ready), .out_quot(div_quot),
      .out_error(div_out_error));

  logic sq_in_valid, sq_in_ready, sq_out_valid;
  logic [63:0] sq_value;  // n2 (acc) or the radicand quotient (the divider holds it): no copy
  assign sq_value = (state == S_SP_SQW) ? div_quot : acc;
  logic [31:0] sq_root;
  logic [33:0] sq_rem;
  logic [32:0] sq_round;
  rr_isqrt #(.W(64), .DIGITS_PER_CYCLE(1)) u_sqrt (
      .clk, .rst, .in_valid(sq_in_valid), .in_ready(sq_in_ready), .in_value(sq_value),
      .out_valid(sq_out_valid), .out_ready(1'b1), .out_root(sq_root), .out_rem(sq_rem), .out_round(sq_round));

  logic co_in_valid, co_in_ready, co_out_valid, co_out_ready, co_out_error, co_rotate;
  // |x|, |y| < 2^31 (sums of two C entries), |angle| < 2^39 (half sums of two atan2 results)
  logic signed [31:0] co_x, co_y;
  logic signed [39:0] co_angle;
  logic signed [34:0] co_out_angle;
  logic signed [31:0] co_cos, co_sin;
  rr_cordic #(.XW(32), .ANGW(40)) u_cordic (
      .clk, .rst, .in_valid(co_in_valid), .in_ready(co_in_ready), .in_rotate(co_rotate), .in_x(co_x),
      .in_y(co_y), .in_angle(co_angle), .out_valid(co_out_valid), .out_ready(co_out_ready), .out_angle(co_out_angle),
      .out_cos(co_cos), .out_sin(co_sin), .out_error(co_out_error));

  // The sign word (§5, rr_sign_gen's function) is three products modulo 2^32 on the shared
  // multiplier, one in each of the first free cycles of the pair (S_IN, visited N >= 2 times,
  // then S_ZERO_CHECK; S_IN_NEXT squares the code S_IN took), so it costs no cycle and no
  // multiplier of its own.
  localparam logic [33:0] kWeyl = 34'h09E3779B9;
  localparam logic [33:0] kMul1 = 34'h07FEB352D;
  localparam logic [33:0] kMul2 = 34'h0846CA68B;
  logic [1:0] sg_st;  // products done: 0 pair index in sign_word, 1 weyl, 2 first mix, 3 the word
  logic sg_go;
  logic [31:0] sg_p;
  assign sg_go = (state == S_IN || state == S_ZERO_CHECK) && sg_st != 2'd3;

  rr_regfile #(.DEPTH(MM), .WIDTH(32), .AW(AWM)) u_ja (
      .clk, .we(ja_we), .waddr(ja_wa), .wdata(ja_wd), .raddr(ja_ra), .rdata(ja_rd));
  rr_regfile #(.DEPTH(MM), .WIDTH(32), .AW(AWM)) u_ju (
      .clk, .we(ju_we), .waddr(ju_wa), .wdata(ju_wd), .raddr(ju_ra), .rdata(ju_rd));
  rr_regfile #(.DEPTH(MM), .WIDTH(32), .AW(AWM)) u_jv (
      .clk, .we(jv_we), .waddr(jv_wa), .wdata(jv_wd), .raddr(jv_ra), .rdata(jv_rd));
  rr_regfile #(.DEPTH(MX), .WIDTH(32), .AW(AWX)) u_mx (
      .clk, .we(mx_we), .waddr(mx_wa), .wdata(mx_wd), .raddr(mx_ra), .rdata(mx_rd));

  // q-vectors read one entry per cycle, in register files as well (their port logic below):
  // the Gram-Schmidt / new-column coefficients m 2^e of both sides ({e, m} at side MQ + j; a
  // valid bit per entry clears a side at S_G_START), the c_L / c_R codes (one file per side:
  // the core sums read both at once), the basis rows being updated (a block of four: one Q
  // word per column) and the update maxima.
  localparam int CQ = 2 * MQ;
  localparam int AWC = $clog2(CQ);
  localparam int AWQ = $clog2(MQ);
  logic cf_we, cb0_we, cb1_we, qr_we, bc_we;
  logic [AWC-1:0] cf_wa, cf_ra;
  logic [AWQ-1:0] cb_wa, cb0_ra, cb1_ra, qr_wa, qr_ra, bc_wa, bc_ra;
  logic [EW+33:0] cf_wd, cf_rd;
  logic signed [31:0] cb_wd, cb0_rd, cb1_rd;
  logic [63:0] qr_wd, qr_rd;  // the block's Q words, one per column
  logic [50:0] bc_wd, bc_rd;  // max |update accumulator| < 2^49 (§3)
  rr_regfile #(.DEPTH(CQ), .WIDTH(EW + 34), .AW(AWC)) u_cf (
      .clk, .we(cf_we), .waddr(cf_wa), .wdata(cf_wd), .raddr(cf_ra), .rdata(cf_rd));
  rr_regfile #(.DEPTH(MQ), .WIDTH(32), .AW(AWQ)) u_cb0 (
      .clk, .we(cb0_we), .waddr(cb_wa), .wdata(cb_wd), .raddr(cb0_ra), .rdata(cb0_rd));
  rr_regfile #(.DEPTH(MQ), .WIDTH(32), .AW(AWQ)) u_cb1 (
      .clk, .we(cb1_we), .waddr(cb_wa), .wdata(cb_wd), .raddr(cb1_ra), .rdata(cb1_rd));
  rr_regfile #(.DEPTH(MQ), .WIDTH(64), .AW(AWQ)) u_qr (
      .clk, .we(qr_we), .waddr(qr_wa), .wdata(qr_wd), .raddr(qr_ra), .rdata(qr_rd));
  rr_regfile #(.DEPTH(MQ), .WIDTH(51), .AW(AWQ)) u_bc (
      .clk, .we(bc_we), .waddr(bc_wa), .wdata(bc_wd), .raddr(bc_ra), .rdata(bc_rd));
  // c_x codes: loaded (S_LOAD), read by the core sums (ci), replaced by the new block in
  // S_CXN_W (the old one is not read after S_CONV), read by the update (t) and the write-back.
  logic cx_we;
  logic [AWQ-1:0] cx_wa, cx_ra;
  logic [31:0] cx_wd, cx_rd, cx_rdv;
  logic [AWQ-1:0] cx_ix;
  rr_regfile #(.DEPTH(MQ), .WIDTH(32), .AW(AWQ)) u_cx (
      .clk, .we(cx_we), .waddr(cx_wa), .wdata(cx_wd), .raddr(cx_ra), .rdata(cx_rd));
  assign cx_ix = AWQ'((state == S_CORE || state == S_CONV) ? ci : ((state == S_FIN) ? t - 2 * q : t));
  assign cx_ra = cx_ix;
  assign cx_rdv = cx_val[cx_ix] ? cx_rd : 32'd0;
  // Column exponents of Q_L / Q_R (u_eq, side MQ + j: loaded, column r set by S_R_END) and the
  // updated columns' new exponents (u_ec, side MQ + t, S_U_EXP). After a side's update its
  // columns < r read from u_ec (upd), so nothing is copied and the old ones stay readable
  // while the update runs. One read each per cycle: the Gram-Schmidt (j), e_ref (S_BLK, t), the
  // update (k; u_ec: t) and the write-back (S_FIN).
  logic eq_we, ec_we;
  logic [AWC-1:0] eq_wa, eq_ra, ec_wa, ec_ra;
  logic [EW-1:0] eq_wd, eq_rd, ec_wd, ec_rd;
  logic fin_s;                    // S_FIN: the side of metadata word t
  logic signed [31:0] fin_ix;     // S_FIN: its column
  logic signed [31:0] eq_v, ec_v; // exponent read this cycle (eq_v: the current one)
  rr_regfile #(.DEPTH(CQ), .WIDTH(EW), .AW(AWC)) u_eq (
      .clk, .we(eq_we), .waddr(eq_wa), .wdata(eq_wd), .raddr(eq_ra), .rdata(eq_rd));
  rr_regfile #(.DEPTH(CQ), .WIDTH(EW), .AW(AWC)) u_ec (
      .clk, .we(ec_we), .waddr(ec_wa), .wdata(ec_wd), .raddr(ec_ra), .rdata(ec_rd));
  always_comb begin : exp_addr
    logic signed [31:0] ix;
    fin_s = t >= q;
    fin_ix = fin_s ? t - q : t;
    case (state)
      S_G_DOT_END: ix = j;
      S_U_ACC: ix = k;
      default: ix = t;
    endcase
    eq_ra = (state == S_FIN) ? AWC'(32'(fin_s) * MQ + fin_ix) : AWC'(32'(side) * MQ + ix);
    ec_ra = (state == S_FIN) ? AWC'(32'(fin_s) * MQ + fin_ix) : AWC'(32'(side) * MQ + t);
  end
  always_comb begin : exp_read
    ec_v = 32'($signed(ec_rd));
    eq_v = 32'($signed(eq_rd));
    if (state == S_FIN && upd[fin_s] && fin_ix < r) eq_v = ec_v;
  end
  always_comb begin : exp_write
    eq_we = 1'b0;
    eq_wa = AWC'(32'(side) * MQ + r);
    eq_wd = '0;
    case (state)
      S_LOAD_NEXT: begin
        eq_we = t < 2 * q;
        eq_wa = AWC'(32'(fin_s) * MQ + fin_ix);
        eq_wd = EW'(32'($signed(rdata[15:0])));
      end
      S_R_END: begin eq_we = 1'b1; eq_wd = eq_r; end
      S_R_VZ_NEXT: eq_we = !(i + 4 < n_len[side]);  // vanished: exponent 0
      default: ;
    endcase
    ec_we = state == S_U_EXP;
    ec_wa = AWC'(32'(side) * MQ + t);
    ec_wd = fx_out;
  end
  // sigma (u_sg: unsorted, S_J_SIG / S_J_SORT; then x0 and v_0 of the spectrum reduction) and
  // the sorted sigma (u_hs), all below 2^31 (§3, §4.8): 33-bit signed entries.
  logic sg_we, hs_we;
  logic [AWQ-1:0] sg_wa, sg_ra, hs_wa, hs_ra;
  logic signed [32:0] sg_wd, sg_rd, hs_wd, hs_rd;
  rr_regfile #(.DEPTH(MQ), .WIDTH(33), .AW(AWQ)) u_sg (
      .clk, .we(sg_we), .waddr(sg_wa), .wdata(sg_wd), .raddr(sg_ra), .rdata(sg_rd));
  rr_regfile #(.DEPTH(MQ), .WIDTH(33), .AW(AWQ)) u_hs (
      .clk, .we(hs_we), .waddr(hs_wa), .wdata(hs_wd), .raddr(hs_ra), .rdata(hs_rd));
  always_comb begin : sigma_addr
    case (state)
      S_SP_INV, S_SP_INVW: sg_ra = '0;
      S_SP_G: sg_ra = AWQ'(t);
      default: sg_ra = AWQ'(k);  // S_J_SORT, S_SP_H
    endcase
    case (state)
      S_SP_DIV, S_SP_DIVW: hs_ra = AWQ'(m0 + t);
      S_CXN: hs_ra = '0;
      default: hs_ra = AWQ'(t);  // S_SP_M0, S_CXN_W
    endcase
  end
  logic signed [32:0] v0_w;  // S_SP_INV: v_0 = x0_0 - 2^30
  always_comb begin : sigma_write
    v0_w = sg_rd - 33'sd1073741824;
    sg_we = 1'b0;
    sg_wa = AWQ'(t);
    sg_wd = sig_w;
    case (state)
      S_J_SIG: sg_we = 1'b1;
      S_SP_SQW: begin sg_we = sq_out_valid; sg_wd = 33'(sq_round); end
      S_SP_INV: begin sg_we = 1'b1; sg_wa = '0; sg_wd = v0_w; end
      default: ;
    endcase
    hs_we = state == S_J_SORT && !(k + 1 < q);  // the position's sigma at its last row
    hs_wa = AWQ'(t);
    hs_wd = bv_r;
  end
  logic signed [33:0] cf_m;  // the coefficient (side, j in S_G_COEF, else t): |c| <= 2^31
  logic signed [31:0] cf_e;
  logic [63:0] bigc_t;       // the update maximum of column t
  logic signed [31:0] cf_ix;
  assign cf_ix = (state == S_G_COEF) ? j : t;
  assign cf_ra = AWC'(32'(side) * MQ + cf_ix);
  always_comb begin : qvec_read  // (addresses and data in separate processes: no false loop)
    cf_m = cf_val[side][cf_ix] ? $signed(cf_rd[33:0]) : 34'sd0;
    cf_e = cf_val[side][cf_ix] ? 32'($signed(cf_rd[EW+33:34])) : 32'sd0;
    cb0_ra = AWQ'(ci);
    cb1_ra = AWQ'(cj);
    qr_ra = AWQ'(k);  // the update's term k: column k's word of the block
    bc_ra = AWQ'(t);
    bigc_t = 64'(bc_rd);
  end

  // Diagnostic outputs of the primitives that a correct schedule never raises.
  logic unused_ok;
  assign unused_ok = ^{div_out_error, co_out_error, sq_root, sq_rem, sq_round[32]};

  assign start_ready = state == S_IDLE;
  assign code_ready = state == S_IN;

  // The primitives' operands are not copied: the state that waits for an operation presents
  // them from registers that hold while it waits (the operation is accepted in its first cycle).
  always_comb begin : divider_operands
    div_num = 36'd1;
    div_den = 36'd1;
    div_frac = 7'd60;
    case (state)
      S_R_DIV: begin div_den = 36'(norm); div_frac = 7'(bn + 30); end  // R = 1 / N (§4.3)
      S_SP_DIVW: begin  // x0_t radicand: (s1 - k sigma_{m0+t}) / s1 (§4.8)
        div_num = 36'(s1 - 64'(mul_p));
        div_den = spdry ? 36'd1 : 36'(s1);
      end
      S_SP_INVW: div_den = 36'(rr_mag(64'(sg_rd)));  // 1 / |v_0|
      S_SP_MWW: begin div_num = 36'(s1); div_den = 36'(kk); div_frac = 7'd0; end  // s1 / k
      default: ;
    endcase
  end
  always_comb begin : cordic_operands  // the pair's two angles, then the two rotations
    co_rotate = state == S_J_C1 || state == S_J_C2;
    co_x = '0;
    co_y = '0;
    co_angle = '0;
    case (state)
      S_J_A1: begin co_y = 32'(-(34'(ra) + 34'(rb))); co_x = 32'(34'(ca) - 34'(sa)); end  // sa = C_kk
      S_J_A2: begin co_y = 32'(34'(rb) - 34'(ra)); co_x = 32'(34'(ca) + 34'(sa)); end
      S_J_C1: co_angle = th_sum - 40'(co_ang_v);  // alpha (the CORDIC still holds diff)
      S_J_C2: co_angle = th_sum;                  // beta
      default: ;
    endcase
  end

  // A CORDIC result (and the residual reciprocal) stays in the primitive's output register
  // (out_ready low) until its fixed wait is over: no copy here.
  logic co_fin, div_fin;
  logic signed [34:0] co_ang_v;
  logic signed [31:0] co_cos_v, co_sin_v;
  logic [31:0] div_q_v;  // the residual reciprocal R <= 2^31
  assign co_fin = co_out_valid && cw >= CoWait;
  assign co_out_ready = co_fin;
  assign co_ang_v = co_out_angle;
  assign co_cos_v = co_cos;
  assign co_sin_v = co_sin;
  assign div_fin = div_out_valid && cw >= DivWait;
  assign div_out_ready = state != S_R_DIV || div_fin;
  assign div_q_v = div_quot[31:0];

  // ---------------- the long loops on the shared multiplier ----------------
  // Gram-Schmidt dot product sum_i Q_ij w_i (§4.2): a beat of four rows reads a Q word and one
  // or two scratch words; its four products fill the cycles the memory port leaves free: row 0
  // as the first scratch word arrives (S_G_DOT_C), row 1 while the second is read (its response
  // cycle, rdata still the first), row 2 in S_G_DOT_D (row 1 there if there is no second word),
  // row 3 in the next beat's S_G_DOT_A or in S_G_DOT_END (rdata still the second word). The sum
  // in acc (below 2^59, §3). The basis update (§4.10): row ln of the block's four, term k per
  // cycle (column k's code from u_qr times M^_kt), summed in acc.
  logic dot_w1;                 // the response cycle of a beat's second scratch word
  logic signed [63:0] acc_p;    // acc + the product of this cycle (every sum of products)
  logic signed [63:0] dot_sum;  // S_G_DOT_END: the dot product
  logic [1:0] lane;             // the code's lane this cycle
  logic whi;                    // the scratch element's half of rdata this cycle
  assign dot_w1 = gs_st == S_G_MEM && gs_ret == S_G_DOT_D && mem_done;
  // (also |x|^2 + code^2 in S_IN_NEXT and the suffix acc + sigma_t in S_SP_M0: one adder)
  assign acc_p = ((state == S_IN_NEXT) ? x2[side] : acc) + ((state == S_SP_M0) ? 64'(hs_rd) : 64'(mul_p));
  assign dot_sum = (state == S_G_DOT_END) ? acc_p : 64'sd0;

  // ---------------- the shared multiplier (37 x 34 signed, 64-bit product) ----------------
  // Every product of the unit goes through this one multiplier, one per cycle; the operand
  // widths are the spec's (§3): 16 x 32 (dots, update), 32 x 16 (Gram-Schmidt update),
  // 25 x 25 (n2), 25 x 32 (v R), 31 x 31 (core), 37 x 27 (kappa, three limbs of S_rr),
  // 32 x 32 (rotations, mixing), 31 x 34 (Householder). Every product is below 2^63, so the
  // 64-bit result is exact.
  logic signed [31:0] sp_d;  // S_SP_M0: q - 1 - t
  assign sp_d = q - 1 - t;
  logic signed [36:0] mul_a;
  logic signed [33:0] mul_b;
  logic signed [63:0] mul_p;
  // operands that need a shift first
  logic signed [36:0] v_res;      // round(w 2^-ssh) of the word just read (|v| <= 2^24)
  logic signed [31:0] u_scaled;   // M^_kt of the side being updated (|M^| <= |M| < 2^31)
  logic signed [31:0] rot_v, rot_c, rot_s, mix_u, qx_v;
  logic signed [63:0] core_p;
  // the scratch element of this cycle (row i, or i + 1 in S_G_UPD_D) and the code (lane i mod 4)
  always_comb begin : lane_select
    lane = {i_r[1], i_r[0] | (state == S_G_UPD_D)};  // the Gram-Schmidt update: row i (+ 1 in D)
    whi = i_r[0] || state == S_G_UPD_D;
    case (state)
      S_G_DOT_C: begin lane = 2'd0; whi = 1'b0; end
      S_G_MEM: begin lane = 2'd1; whi = 1'b1; end
      S_G_DOT_D: begin lane = (i + 2 < n) ? 2'd2 : 2'd1; whi = !(i + 2 < n); end
      S_G_DOT_A, S_G_DOT_END: begin lane = 2'd3; whi = 1'b1; end
      S_U_ACC: lane = ln;
      default: ;
    endcase
  end
  assign w_sel = whi ? $signed(rdata[63:32]) : $signed(rdata[31:0]);
  logic [63:0] q_word;  // the Q word whose lane is multiplied: the block's column k in S_U_ACC
  assign q_word = (state == S_U_ACC) ? qr_rd : qw;
  assign qv = $signed(q_word[16 * lane +: 16]);
  // One operand shifter (osh, below) for the operands that need a rounding shift first:
  // round(w 2^-ssh), M^_kt = round(M_kt 2^-(e_ref - e_k)) (eref >= e_k), the c_x term of a core
  // sum and the first term of the coefficient fold, in disjoint states.
  logic signed [63:0] osh_out;
  assign v_res = 37'(osh_out);
  assign u_scaled = (live[side][k] && k < q) ? 32'(osh_out) : 32'sd0;
  always_comb begin
    rot_c = rk[0] ? co_cos : ca;  // the CORDIC holds cos / sin beta until its next operation
    rot_s = rk[0] ? co_sin : sa;
    // the entry of the rotation read this cycle (ph 0: x, ph 1: y; rk: rows / columns of C, U, V)
    rot_v = rk[1] ? (rk[0] ? jv_rd : ju_rd) : ja_rd;
    if (side == 1'b0) mix_u = fu[k] ? -ju_rd : ju_rd;
    else mix_u = fv[k] ? -jv_rd : jv_rd;
    // Q_x[k][j]: its first idc columns are identity columns (never stored), the others hold the
    // Householder columns in rows m0..q-1 (zero above them).
    if (j < ((!mode || spdry) ? r : m0)) qx_v = (k == j) ? kOne30s : 32'sd0;
    else qx_v = (k >= m0) ? ja_rd : 32'sd0;
  end
  always_comb begin
    mul_a = '0;
    mul_b = '0;
    case (state)
      // the code S_IN took (wa = code 2^8), squared from the register: no product depends on
      // an input port combinationally (in Verilator, the input-combinational region stays small)
      S_IN_NEXT: begin mul_a = 37'($signed(wa[23:8])); mul_b = 34'($signed(wa[23:8])); end
      S_IN, S_ZERO_CHECK: if (sg_go) begin  // pair kWeyl, fold1 kMul1, fold2 kMul2
        case (sg_st)
          2'd0: begin mul_a = $signed({5'd0, sign_word}); mul_b = $signed(kWeyl); end
          2'd1: begin mul_a = $signed({5'd0, sign_word ^ (sign_word >> 16)}); mul_b = $signed(kMul1); end
          default: begin mul_a = $signed({5'd0, sign_word ^ (sign_word >> 15)}); mul_b = $signed(kMul2); end
        endcase
      end
      S_G_UPD_C, S_G_UPD_D: begin mul_a = 37'(cm); mul_b = 34'(qv); end
      S_G_DOT_C, S_G_DOT_D, S_G_DOT_END: begin mul_a = 37'(w_sel); mul_b = 34'(qv); end
      S_G_DOT_A: if (i != 0) begin mul_a = 37'(w_sel); mul_b = 34'(qv); end  // the last beat's row 3
      // row 1 of the beat, taken into acc when its scratch word arrives (dot_w1); the operands
      // are presented for the whole wait, so that no product depends on mem_done (an input)
      S_G_MEM: if (gs_ret == S_G_DOT_D) begin mul_a = 37'(w_sel); mul_b = 34'(qv); end
      S_U_ACC: begin mul_a = 37'(u_scaled); mul_b = 34'(qv); end
      S_R_N2_B: begin mul_a = v_res; mul_b = 34'(v_res); end
      S_R_PM_B, S_R_PW_B: begin mul_a = v_res; mul_b = $signed({2'b00, recip}); end
      S_CORE, S_CONV: begin mul_a = 37'(cb0_rd); mul_b = 34'(cb1_rd); end
      S_KAPPA: begin mul_a = $signed({1'b0, kappa}); mul_b = $signed({7'd0, srr[26:0]}); end
      S_KAPPA2: begin mul_a = $signed({1'b0, kappa}); mul_b = $signed({7'd0, srr[53:27]}); end
      S_KAPPA3: begin mul_a = $signed({1'b0, kappa}); mul_b = 34'(srr >>> 54); end
      S_J_ROT: begin
        case (ph)
          2'd0: begin mul_a = 37'(rot_c); mul_b = 34'(rot_v); end
          2'd1: begin mul_a = -(37'(rot_s)); mul_b = 34'(rot_v); end  // - s y: acc + p only
          2'd2: begin mul_a = 37'(rot_s); mul_b = 34'(ra); end
          default: begin mul_a = 37'(rot_c); mul_b = 34'(rb); end
        endcase
      end
      S_SP_M0, S_SP_DIV, S_SP_DIVW: begin mul_a = 37'(hs_rd); mul_b = (state == S_SP_M0) ? 34'(sp_d) : 34'(kk); end
      S_SP_G: begin mul_a = 37'(sg_rd); mul_b = 34'(inv_v0); end
      S_SP_H: begin mul_a = 37'(sg_rd); mul_b = 34'(gg); end
      S_MIX: begin mul_a = 37'(mix_u); mul_b = 34'(qx_v); end
      default: ;
    endcase
    // The low 64 bits of a two's-complement product are those of the unsigned product of the
    // same bit patterns. Verilator's C++ multiplies signed 64-bit values as int64_t, whose
    // overflow (the sign generator's 32 x 32 products exceed 2^63) is undefined in C++, so the
    // simulation multiplies unsigned; synthesis keeps the signed form, whose operand widths
    // (37 x 34) Yosys can narrow. Same bits either way.
`ifdef VERILATOR
    mul_p = $signed($unsigned(64'(mul_a)) * $unsigned(64'(mul_b)));
`else
    mul_p = 64'(mul_a) * 64'(mul_b);
`endif
  end
  assign sg_p = mul_p[31:0];  // modulo 2^32 (the product of two 32-bit values may exceed 2^63)

  // ---------------- core sum S_ij (§4.5), i = ci, j = cj ----------------
  logic signed [31:0] e_p, e_a;
  logic signed [63:0] core_s;
  always_comb begin : core_exponents  // (a process of its own: the operand shifter reads e_a)
    e_p = eblk[0] + eblk[1];
    e_a = (cx_any && cxe - 29 > e_p) ? cxe - 29 : e_p;
  end
  always_comb begin
    core_p = 64'(mul_p);
    core_s = rr_shr_round(core_p, e_a - e_p);  // e_a >= e_p
    if (ci == cj && cx_rdv != 32'd0) core_s = core_s + osh_out;  // round(cx 2^-(e_a - e_cx))
  end

  // ---------------- datapath: the register process (seq) takes these results ----------------
  // (kept out of the FSMs and of seq: one instance each, and small processes for
  // synthesis). Each block computes only in the state(s) that use it and outputs zeros
  // otherwise (operand isolation; it also keeps the Verilated model fast).
  // The shared normalizer: one leading-one detector (bit_length of bl_in, §1) and one rounding
  // shifter (round(nz_in 2^-nz_sh), §2.1); the states that need them take turns. A block
  // exponent (fit_exp, §1: the new column's codes, E_C, the c_x block, the updated columns) is
  // a bit length, one rounding shift of the largest value and a compare: fx_out.
  logic [63:0] bl_in;
  logic signed [31:0] bl_w;
  logic signed [63:0] nz_in, nz_out;
  logic signed [31:0] nz_sh;
  logic signed [31:0] gs_sh;  // Gram-Schmidt coefficient: max(0, bit_length|acc| - 30)
  logic signed [31:0] fx_e, fx_b, fx_cand;
  logic signed [63:0] fx_max;
  logic signed [EW-1:0] fx_out;
  logic [63:0] cx_mx;         // the largest new c_x value (S_CXN)
  logic signed [63:0] cmag;   // |coefficient t| of this side (S_BLK)
  logic bany, bcarry;         // §4.4 block: some coefficient nonzero, the rounding carry
  logic signed [31:0] btop, bl_e;
  logic signed [31:0] fold_e;      // S_G_COEF: the larger exponent of the coefficient fold
  logic signed [31:0] van_lb;  // S_R_VT: bit_length(x2) (taken on the normalizer in S_R_N2_B)
  logic [6:0] x2_len;
  always_comb begin : bitlen_unit
    cmag = $signed(rr_mag(64'(cf_m)));
    case (state)
      S_G_DOT_END: bl_in = mag;
      S_R_S: bl_in = big;
      S_R_SQ: bl_in = 64'(sq_round);
      S_R_PE: bl_in = big2;
      S_BLK: bl_in = 64'(cmag);
      S_R_N2_B: bl_in = x2[side];
      S_R_VT: bl_in = n2;
      S_EC: bl_in = summax;
      S_CXN: bl_in = cx_mx;
      S_U_EXP: bl_in = bigc_t;
      default: bl_in = '0;
    endcase
    bl_w = rr_bitlen(bl_in);
  end
  always_comb begin : normalizer
    gs_sh = bl_w - 30;
    if (gs_sh < 0) gs_sh = 0;
    fx_e = 0;
    fx_b = 15;
    fx_max = 64'sd32767;
    case (state)
      S_R_PE: fx_e = -(bn + 30);
      S_EC: begin fx_e = ea; fx_b = 26; fx_max = 64'sd67108863; end
      S_CXN: begin fx_e = ec; fx_b = 31; fx_max = 64'sd2147483647; end
      S_U_EXP: fx_e = eref - 30;
      default: ;
    endcase
    fx_cand = fx_e + bl_w - fx_b;
    bl_e = bany ? btop - 30 : 0;
    nz_in = mul_p;
    nz_sh = 32'sd30;
    case (state)
      S_G_DOT_END: begin nz_in = dot_sum; nz_sh = gs_sh; end
      S_G_UPD_C, S_G_UPD_D: nz_sh = tsh;
      S_R_PW_B: nz_sh = eq + bn + 30;
      S_CONV: begin nz_in = core_s; nz_sh = ec - ea; end
      S_U_LANE: begin nz_in = acc; nz_sh = ec_v - (eref - 30); end
      S_J_ROT: nz_in = (ph == 2'd2) ? acc : acc_p;
      S_MIX: nz_in = acc_p;
      S_R_PE, S_EC, S_CXN, S_U_EXP: begin nz_in = $signed(bl_in); nz_sh = bl_w - fx_b; end
      S_BLK: begin  // ph 1: |c| at the top exponent (the carry test), ph 2: the code
        nz_in = (ph == 2'd1) ? cmag : 64'(cf_m);
        nz_sh = bl_e + ((ph == 2'd1) ? 32'sd0 : 32'(bcarry)) - cf_e;
      end
      S_CXN_W: begin nz_in = $signed(cxn_t); nz_sh = exn - ec; end
      S_G_COEF: begin nz_in = 64'(cm); nz_sh = fold_e - ce; end
      S_R_VT: begin  // the shorter of n2, X2 shifted left to the other's bit length
        if (bl_w >= van_lb) begin nz_in = $signed(x2[side]); nz_sh = van_lb - bl_w; end
        else begin nz_in = $signed(n2); nz_sh = bl_w - van_lb; end
      end
      default: ;  // S_SP_G, S_SP_H: round(mul_p 2^-30)
    endcase
    nz_out = rr_shift_round(nz_in, nz_sh);
    fx_out = (bl_in == 64'd0) ? '0 : EW'((nz_out > fx_max) ? fx_cand + 1 : fx_cand);
  end
  // One magnitude and one compare for every running maximum: the new column's |w| (S_R_MAX_B)
  // and |v R| (S_R_PM_B) against big_r, the core sums' (S_CORE, acc), the update's (S_U_LANE,
  // u_bc); and |dot product| for its bit length.
  always_comb begin : new_column_max
    case (state)
      S_R_MAX_B: mag_in = 64'(w_sel);
      S_R_PM_B: mag_in = mul_p;
      S_CORE: mag_in = core_s;
      S_U_LANE: mag_in = u_sum;
      S_G_DOT_END: mag_in = dot_sum;  // (for its bit length)
      default: mag_in = '0;
    endcase
    case (state)
      S_CORE: max_ref = summax;
      S_U_LANE: max_ref = bigc_t;
      default: max_ref = 64'(big_r);
    endcase
    mag = rr_mag(mag_in);
    big_gt = mag > max_ref;
  end
  // Gram-Schmidt update word: sat32(w - round(cm Q 2^-t)).
  logic signed [63:0] upd_d, upd_c;
  always_comb begin
    upd_d = 64'(w_sel) - nz_out;
    upd_c = upd_d > kSat ? kSat : (upd_d < -kSat ? -kSat : upd_d);
  end
  // Coefficient fold: round(m1 2^(e1-E)) + round(m2 2^(e2-E)) at the larger exponent E.
  // (the second term, round(cm 2^(ce - E)), on the normalizer)
  logic signed [33:0] fold_m;  // |c| <= 2^31
  assign fold_e = (state != S_G_COEF) ? 32'sd0 : (cf_e > ce ? cf_e : ce);
  assign fold_m = (state != S_G_COEF) ? 34'sd0 : 34'(osh_out + nz_out);  // osh: cf_m at fold_e
  always_comb begin : operand_shifter  // (every shift here is exact for s <= 0 and s >= 0 alike)
    logic signed [63:0] osh_in;
    logic signed [31:0] osh_s;
    case (state)
      S_U_ACC: begin osh_in = 64'(mx_rd); osh_s = eref - eq_v; end
      S_CORE, S_CONV: begin osh_in = $signed(64'(cx_rdv)); osh_s = e_a - cxe; end
      S_G_COEF: begin osh_in = 64'(cf_m); osh_s = fold_e - cf_e; end  // fold_e >= cf_e
      default: begin osh_in = 64'(w_sel); osh_s = ssh; end  // S_R_N2_B, S_R_PM_B, S_R_PW_B
    endcase
    osh_out = rr_shift_round(osh_in, osh_s);
  end
  // The new column's vanishing test (§4.3).
  // n2 2^(2 e_v + 22) <= X2 2^(2 e_x) exactly (rr_scaled_le): the bit lengths of n2 (S_R_VT)
  // and X2 (S_R_N2_B) and the aligning left shift of the shorter one on the normalizer.
  logic vanish_w;
  assign van_lb = 32'(x2_len);
  always_comb begin : vanish
    logic signed [31:0] ea_v, eb_v;
    ea_v = 2 * ev + 22;
    eb_v = 2 * exp_in[side];
    if (state != S_R_VT) vanish_w = 1'b0;
    else if (n2 == 64'd0) vanish_w = 1'b1;
    else if (x2[side] == 64'd0) vanish_w = 1'b0;
    else if (bl_w + ea_v != van_lb + eb_v) vanish_w = (bl_w + ea_v) < (van_lb + eb_v);
    else vanish_w = (bl_w >= van_lb) ? (n2 <= 64'(nz_out)) : (64'(nz_out) <= x2[side]);
  end
  // §4.4 one side's coefficient block (b = 30), one coefficient t per cycle in three passes
  // (ph 0: the top exponent, 1: the rounding carry, 2: the codes), through the normalizer.
  logic signed [31:0] bl_len;
  assign bl_len = cf_e + bl_w;
  // Write ports of the q-vector files.
  logic signed [63:0] u_sum;  // S_U_ACC: update accumulator of column t at its last term
  always_comb begin : qvec_write
    cf_we = 1'b0;
    cf_wa = AWC'(32'(side) * MQ + j);
    cf_wd = {EW'(ce), 34'(cm)};
    case (state)
      S_G_COEF: begin  // cm = 0 exactly when the dot product was 0: nothing to add
        cf_we = cm != 32'sd0;
        if (cf_m != 34'sd0) cf_wd = {EW'(fold_e), fold_m};
      end
      S_R_END: begin
        cf_we = 1'b1;
        cf_wa = AWC'(32'(side) * MQ + r);
        cf_wd = {EW'(ev), $signed(norm)};
      end
      default: ;
    endcase
    cb_wa = AWQ'(t);
    cb_wd = (cf_m != 34'sd0) ? 32'(nz_out) : 32'sd0;
    cb0_we = state == S_BLK && ph == 2'd2 && side == 1'b0;
    cb1_we = state == S_BLK && ph == 2'd2 && side == 1'b1;
    cx_we = (state == S_LOAD_NEXT && t >= 2 * q && t < 3 * q) || state == S_CXN_W;
    cx_wa = AWQ'((state == S_CXN_W) ? t : t - 2 * q);
    cx_wd = (state == S_CXN_W) ? 32'(nz_out) : rdata[31:0];
    qr_we = state == S_U_RD_B;
    qr_wa = AWQ'(l);
    qr_wd = rdata;
    u_sum = (cx_rdv == 32'd0) ? 64'sd0 : acc;
    bc_wa = AWQ'(t);
    bc_wd = 51'(mag);
    // pass 0: the first row sets the maximum, the later rows raise it
    bc_we = state == S_U_LANE && !pass && ((i == 0 && ln == 2'd0) || big_gt);
  end
  // §4.7 the t-th largest sigma (ties: lowest index), chosen at row k = 0; then the U column's
  // largest-magnitude entry (ties: lowest row), one row k per cycle, and its sign convention.
  logic signed [31:0] sort_col;
  logic signed [31:0] sort_u, sort_piv;
  logic sort_flip;
  // The largest sigma not taken (ties: lowest index) is found one entry per cycle: for position
  // 0 while sigma is produced (S_J_SIG), for position t + 1 while position t scans its U column
  // (row k reads sigma_k: a candidate unless taken or the column being sorted).
  logic signed [32:0] sig_w;     // S_J_SIG: sigma_t = |C_tt|
  logic nb_take;                 // S_J_SORT: sigma_k beats the next position's best so far
  logic signed [CW-1:0] nb_w;
  logic signed [32:0] nbv_w;
  always_comb begin : sort
    sig_w = (ja_rd < 0) ? -(33'(ja_rd)) : 33'(ja_rd);
    sort_col = sbest;
    nb_take = state == S_J_SORT && !taken[k] && k != sbest && (!nb_any || sg_rd > nbv_r);
    nb_w = nb_take ? CW'(k) : nb_r;
    nbv_w = nb_take ? sg_rd : nbv_r;
  end
  function automatic logic [32:0] rr_mag33(input logic signed [31:0] v);  // |v| of a 32-bit entry
    rr_mag33 = v[31] ? 33'(-(33'(v))) : 33'(v);
  endfunction
  always_comb begin : sort_pivot  // (a process of its own: ju's read address is sort_col)
    sort_u = (state == S_J_SORT) ? ju_rd : 32'sd0;
    sort_piv = (k == 0 || rr_mag33(sort_u) > rr_mag33(pval)) ? sort_u : pval;
    sort_flip = sort_piv != 32'sd0 && ((sort_piv < 0) ^ neg[sort_col]);
  end
  // §4.8 unbiased: m0 (smallest i <= q-3 with (q-1-i) sigma_i <= suffix_i, else q-2) and
  // s1 = suffix_m0, one i per cycle from q-1 down (S_SP_M0): the suffix in acc, the product
  // (q-1-i) sigma_i on the shared multiplier (sums below 9 2^31, products below 2^34).
  logic signed [31:0] sp_m0;
  logic signed [39:0] sp_s1;
  logic signed [63:0] sp_sfx;
  always_comb begin : spectrum
    sp_sfx = (state == S_SP_M0) ? acc_p : 64'sd0;
    sp_m0 = m0;
    sp_s1 = s1_r;
    if (state == S_SP_M0 && (t == q - 2 || (t < q - 2 && mul_p <= sp_sfx))) begin
      sp_m0 = t;
      sp_s1 = 40'(sp_sfx);
    end
  end
  // §4.9 the new c_x block (unsigned, b = 31) at E_C: its largest value (its exponent and its
  // codes, one per cycle, come from the normalizer).
  assign cx_lim = (!mode || spdry) ? r : m0;
  always_comb begin : cxblock
    // the largest of sigma_0 (the largest sigma) and s1 / k, where present
    cx_mx = 0;
    if (state == S_CXN) begin
      if (cx_lim > 0) cx_mx = 64'(hs_rd);  // sigma_0
      if (cx_lim < r && 64'(s1k_r) > cx_mx) cx_mx = 64'(s1k_r);
    end
    cxn_t = 0;
    if (state == S_CXN_W && t < r) cxn_t = (t < cx_lim) ? 64'(hs_rd) : 64'(s1k_r);
  end

  // ---------------- register-file ports (by state, from the counters) ----------------
  function automatic logic [AWM-1:0] a_m(input logic signed [31:0] row, input logic signed [31:0] col);
    a_m = AWM'(col * MQ + row);  // MQ is a constant: shifts and adds
  endfunction
  logic [AWM-1:0] rot_a;
  logic signed [63:0] sp_hh;  // §4.8 Householder entry (k == t) 2^30 - g h_k
  always_comb begin
    // the rotation reads x (ph 0), y (ph 1) and writes x' (ph 2), y' (ph 3): rows of C (rk 0),
    // columns of C, U, V (rk 1..3)
    if (ph[0]) rot_a = (rk == 2'd0) ? a_m(jk, t) : a_m(t, jk);
    else rot_a = (rk == 2'd0) ? a_m(jp, t) : a_m(t, jp);
    sp_hh = ((k == t) ? kOne30 : 64'sd0) - nz_out;
    ja_ra = rot_a;
    ju_ra = rot_a;
    jv_ra = rot_a;
    case (state)
      S_J_P0: ja_ra = a_m(jp, jk);  // C_pk
      S_J_P1: ja_ra = a_m(jk, jp);  // C_kp
      S_J_P2: ja_ra = a_m(jp, jp);
      S_J_PAIR: ja_ra = a_m(jk, jk);
      S_J_SIG: ja_ra = a_m(t, t);
      S_J_SORT: ju_ra = a_m(k, sort_col);
      S_MIX: begin
        ja_ra = a_m(k, j);
        ju_ra = a_m(i, 32'(perm[k]));
        jv_ra = a_m(i, 32'(perm[k]));
      end
      default: ;
    endcase
    mx_ra = AWX'(32'(side) * (MAX_RANK * MQ) + t * MQ + k);
    ja_we = 1'b0;
    ju_we = 1'b0;
    jv_we = 1'b0;
    ja_wa = rot_a;
    ju_wa = rot_a;
    jv_wa = rot_a;
    ja_wd = 32'(nz_out);
    ju_wd = 32'(nz_out);
    jv_wd = 32'(nz_out);
    case (state)
      S_CONV: begin  // C in 27-bit codes, U = V = I
        ja_we = 1'b1;
        ju_we = 1'b1;
        jv_we = 1'b1;
        ja_wa = a_m(ci, cj);
        ju_wa = a_m(ci, cj);
        jv_wa = a_m(ci, cj);
        ju_wd = (ci == cj) ? kOne30s : 32'sd0;
        jv_wd = (ci == cj) ? kOne30s : 32'sd0;
      end
      S_J_ROT: if (ph[1] && !jdry) begin
        ja_we = !rk[1];
        ju_we = rk == 2'd2;
        jv_we = rk == 2'd3;
        // the pair's off-diagonal entries C_pk, C_kp end at 0: written as 0 in the column pass
        if (rk == 2'd1 && ((!ph[0] && t == jk) || (ph[0] && t == jp))) ja_wd = 32'sd0;
      end
      S_SP_H: begin  // Householder column t (1..k), entry k, into Q_x column m0 + t - 1
        ja_we = !spdry;
        ja_wa = a_m(m0 + k, m0 + t - 1);
        ja_wd = sign_word[k] ? 32'(-sp_hh) : 32'(sp_hh);
      end
      default: ;
    endcase
    mx_we = state == S_MIX && k + 1 >= q;  // M[i][j] at its last product
    mx_wa = AWX'(32'(side) * (MAX_RANK * MQ) + j * MQ + i);
    mx_wd = 32'(nz_out);
  end

  // A Q word being built one code per cycle (the new column, the update): the code goes into
  // lane m; lane 0 starts the word, so the lanes past row n stay zero.
  function automatic logic [63:0] put_code(input logic [63:0] word, input logic [1:0] m, input logic [15:0] code);
    logic [63:0] w;
    w = (m == 2'd0) ? 64'd0 : word;
    w[16 * m +: 16] = code;
    put_code = w;
  endfunction
  logic [63:0] pw_word;  // the new column's word (S_R_PW_B) or the update's (S_U_LANE)
  logic [31:0] in_w;  // S_IN: the scratch value x 2^8
  assign pw_word = (state == S_U_LANE) ? put_code(qw, ln, (cx_rdv == 32'd0) ? 16'd0 : 16'(nz_out)) :
                                         put_code(qw, i_r[1:0], 16'(nz_out));
  assign in_w = 32'(code_data) <<< 8;

  // Address of a basis code (index from the counters), a scratch word or a metadata word.
  function automatic logic [31:0] a_q(input logic s, input logic [27:0] idx);
    a_q = {3'b000, s, idx};
  endfunction
  function automatic logic [27:0] a_ix(input logic [IW-1:0] base, input logic [IW-1:0] off);
    logic [IW-1:0] sum;
    sum = base + off;
    a_ix = 28'(sum);
  endfunction
  function automatic logic [31:0] a_w(input logic s, input logic [27:0] row);
    a_w = {3'b001, s, row};
  endfunction
  function automatic logic [31:0] a_meta(input logic [27:0] idx);
    a_meta = {4'd4, idx};
  endfunction

  // ---------------- the memory port (granted to the owner's request) ----------------
  // The owner's FSM asks for one access in a state (mq_go, combinational) and waits in its own
  // wait state for mem_done: a write is done when accepted, a read when its response arrives
  // (rdata). Same cycles as one state per step: issue 1, write 1, read 2.
  logic mq_go, mq_wr;
  logic [31:0] mq_addr;
  logic [63:0] mq_wd;
  logic rd_pend, mem_done;
  always_comb begin : mem_issue
    mq_go = 1'b0;
    mq_wr = 1'b0;
    mq_addr = '0;
    mq_wd = '0;
    case (owner)
      O_TOP:
        case (top_st)
          S_IN: if (code_valid && (i_r[0] || !(i + 1 < n))) begin  // at the odd row or the last
            mq_go = 1'b1;
            mq_wr = 1'b1;
            mq_addr = a_w(side, 28'(i >>> 1));
            mq_wd = i_r[0] ? {in_w, wa} : {32'd0, in_w};
          end
          S_LOAD: begin
            mq_go = 1'b1;
            if (t < q) mq_addr = a_meta(28'(t));
            else if (t < 2 * q) mq_addr = a_meta(28'(16 + t - q));
            else if (t < 3 * q) mq_addr = a_meta(28'(32 + t - 2 * q));
            else mq_addr = a_meta(28'(48));
          end
          S_FIN: begin
            mq_go = 1'b1;
            mq_wr = 1'b1;
            if (t < q) begin mq_addr = a_meta(28'(t)); mq_wd = 64'($signed(16'(eq_v))); end
            else if (t < 2 * q) begin mq_addr = a_meta(28'(16 + t - q)); mq_wd = 64'($signed(16'(eq_v))); end
            else if (t < 3 * q) begin mq_addr = a_meta(28'(32 + t - 2 * q)); mq_wd = 64'(cx_rdv); end
            else begin mq_addr = a_meta(28'(48)); mq_wd = 64'($signed(16'(cxe))); end
          end
          default: ;
        endcase
      O_GS:
        case (gs_st)
          S_G_DOT_A, S_G_UPD_A: begin mq_go = 1'b1; mq_addr = a_q(side, a_ix(cbase, IW'(i >>> 2))); end
          S_G_DOT_B, S_G_UPD_B, S_R_MAX_A, S_R_N2_A, S_R_PM_A, S_R_PW_A: begin
            mq_go = 1'b1;
            mq_addr = a_w(side, 28'(i >>> 1));
          end
          S_G_DOT_C: begin mq_go = i + 2 < n; mq_addr = a_w(side, 28'((i >>> 1) + 1)); end
          S_G_UPD_C: begin  // the last row alone: its word now
            mq_go = !(i + 1 < n);
            mq_wr = 1'b1;
            mq_addr = a_w(side, 28'(i >>> 1));
            mq_wd = {32'd0, 32'(upd_c)};
          end
          S_G_UPD_D: begin
            mq_go = 1'b1;
            mq_wr = 1'b1;
            mq_addr = a_w(side, 28'(i >>> 1));
            mq_wd = {32'(upd_c), wa};
          end
          S_G_UPD_E: begin  // the next scratch word unless row i + 2 starts a Q word
            mq_go = i + 2 < n && !i_r[1];
            mq_addr = a_w(side, 28'((i >>> 1) + 1));
          end
          S_R_PW_B: begin  // the Q word at its last row
            mq_go = i_r[1:0] == 2'd3 || !(i + 1 < n);
            mq_wr = 1'b1;
            mq_addr = a_q(side, a_ix(rbase, IW'(i >>> 2)));
            mq_wd = pw_word;
          end
          S_R_VZ: begin mq_go = 1'b1; mq_wr = 1'b1; mq_addr = a_q(side, a_ix(rbase, IW'(i >>> 2))); end
          default: ;
        endcase
      O_UPD:
        case (up_st)
          S_U_RD: begin mq_go = 1'b1; mq_addr = a_q(side, 28'(lad)); end
          S_U_LANE: begin  // second pass: the word at its last row
            mq_go = pass && !(ln != 2'd3 && i + 32'(ln) + 1 < n);
            mq_wr = 1'b1;
            mq_addr = a_q(side, 28'(tad));
            mq_wd = pw_word;
          end
          default: ;
        endcase
      default: ;
    endcase
  end
  assign mem_done = (mem_req_valid && mem_req_ready && mem_req_write) || (rd_pend && mem_rsp_valid);
  always_ff @(posedge clk) begin : mem_port
    if (rst) begin
      mem_req_valid <= 1'b0;
      mem_req_write <= 1'b0;
      mem_req_addr <= '0;
      mem_req_wdata <= '0;
      rd_pend <= 1'b0;
    end else begin
      if (mem_req_valid) begin
        if (mem_req_ready) begin
          mem_req_valid <= 1'b0;
          rd_pend <= !mem_req_write;
        end
      end else if (mq_go) begin
        mem_req_valid <= 1'b1;
        mem_req_write <= mq_wr;
        mem_req_addr <= mq_addr;
        if (mq_wr) mem_req_wdata <= mq_wd;
      end
      if (rd_pend && mem_rsp_valid) begin
        rdata <= mem_rsp_rdata;
        rd_pend <= 1'b0;
      end
    end
  end

  // ---------------- the top sequencer and the start / done handshakes ----------------
  // The top runs the input, the metadata, the side loops and the write-back, and grants the
  // shared datapath (memory port, multiplier, normalizer, shifters, CORDIC, divider, isqrt) to one
  // phase at a time (owner, from its state). A phase's start is a pulse in the cycle the top
  // advances to it, its done a pulse in the phase's last state: the handshakes cost no cycle.
  // (skip_w: a condition both the core FSM and the datapath use.)
  logic skip_w;  // S_KAPPA3: the kappa test skips the update
  logic gs_start, co_start, ja_start, sp_start, up_start;
  logic gs_done, co_done, ja_done, sp_done, up_done;
  assign gs_done = gs_st == S_R_SIDE;
  assign co_done = (co_st == S_KAPPA3 && skip_w) || (co_st == S_CONV && !(ci + 1 < q) && !(cj + 1 < q));
  assign ja_done = ja_st == S_J_SORT && !(k + 1 < q) && !(t + 1 < q);
  assign sp_done = sp_st == S_CXN_W && !(t + 1 < r);
  assign up_done = up_st == S_U_SIDE;
  assign gs_start = (top_st == S_LOAD_NEXT && t == 3 * q) || (top_st == S_T_GS && gs_done && !side);
  assign co_start = top_st == S_T_GS && gs_done && side;
  assign ja_start = top_st == S_T_CORE && co_done && !skip_w;
  assign sp_start = top_st == S_T_JAC && ja_done;
  assign up_start = (top_st == S_T_SPM && sp_done) || (top_st == S_T_UPD && up_done && !side);
  always_comb begin : grant
    case (top_st)
      S_T_GS: owner = O_GS;
      S_T_CORE: owner = O_CORE;
      S_T_JAC: owner = O_JAC;
      S_T_SPM: owner = O_SPM;
      S_T_UPD: owner = O_UPD;
      default: owner = O_TOP;
    endcase
    // the granted phase's state: what the shared datapath decodes
    case (owner)
      O_GS: state = gs_st;
      O_CORE: state = co_st;
      O_JAC: state = ja_st;
      O_SPM: state = sp_st;
      O_UPD: state = up_st;
      default: state = top_st;
    endcase
  end
  always_ff @(posedge clk) begin : top_fsm
    if (rst) begin
      top_st <= S_IDLE;
      top_ret <= S_IDLE;
    end else begin
      case (top_st)
        S_IDLE: if (start_valid) top_st <= S_IN;
        S_IN: if (code_valid) begin
          if (mq_go) begin top_ret <= S_IN_NEXT; top_st <= S_T_MEM; end
          else top_st <= S_IN_NEXT;
        end
        S_IN_NEXT: top_st <= (i + 1 < n || !side) ? S_IN : S_ZERO_CHECK;
        S_ZERO_CHECK: top_st <= (!nonzero[0] || !nonzero[1]) ? S_DONE : S_LOAD;
        S_LOAD: begin top_ret <= S_LOAD_NEXT; top_st <= S_T_MEM; end
        S_LOAD_NEXT: top_st <= (t == 3 * q) ? S_T_GS : S_LOAD;
        S_T_MEM: if (mem_done) top_st <= top_ret;
        S_T_GS: if (co_start) top_st <= S_T_CORE;  // (side 0 done: gs_start again)
        S_T_CORE: if (co_done) top_st <= skip_w ? S_FIN : S_T_JAC;
        S_T_JAC: if (ja_done) top_st <= S_T_SPM;
        S_T_SPM: if (sp_done) top_st <= S_T_UPD;
        S_T_UPD: if (up_done && side) top_st <= S_FIN;
        S_FIN: begin top_ret <= S_FIN_NEXT; top_st <= S_T_MEM; end
        S_FIN_NEXT: top_st <= (t == 3 * q) ? S_DONE : S_FIN;
        S_DONE: if (done_ready) top_st <= S_IDLE;
        default: top_st <= S_IDLE;
      endcase
    end
  end

  // ---------------- the phases' sub-FSMs (each idle until its start) ----------------
  // §4.2 Gram-Schmidt and §4.3 the new column, one side per start.
  always_ff @(posedge clk) begin : gs_fsm
    if (rst) begin
      gs_st <= S_G_IDLE;
      gs_ret <= S_G_IDLE;
    end else if (gs_start) begin
      gs_st <= S_G_START;
    end else begin
      case (gs_st)
        S_G_IDLE: ;
        S_G_MEM: if (mem_done) gs_st <= gs_ret;
        S_G_START: gs_st <= S_G_DOT_A;
        S_G_DOT_A: begin gs_ret <= S_G_DOT_B; gs_st <= S_G_MEM; end
        S_G_DOT_B: begin gs_ret <= S_G_DOT_C; gs_st <= S_G_MEM; end
        S_G_DOT_C: if (mq_go) begin gs_ret <= S_G_DOT_D; gs_st <= S_G_MEM; end else gs_st <= S_G_DOT_D;
        S_G_DOT_D: gs_st <= (i + 4 < n) ? S_G_DOT_A : S_G_DOT_END;
        S_G_DOT_END: gs_st <= S_G_UPD_A;
        S_G_UPD_A: begin gs_ret <= S_G_UPD_B; gs_st <= S_G_MEM; end
        S_G_UPD_B: begin gs_ret <= S_G_UPD_C; gs_st <= S_G_MEM; end
        S_G_UPD_C: if (mq_go) begin gs_ret <= S_G_UPD_E; gs_st <= S_G_MEM; end else gs_st <= S_G_UPD_D;
        S_G_UPD_D: begin gs_ret <= S_G_UPD_E; gs_st <= S_G_MEM; end
        S_G_UPD_E: if (mq_go) begin gs_ret <= S_G_UPD_C; gs_st <= S_G_MEM; end
                   else gs_st <= (i + 2 < n) ? S_G_UPD_A : S_G_COEF;
        S_G_COEF: gs_st <= S_G_NEXTJ;
        S_G_NEXTJ: gs_st <= (j + 1 < r || !pass) ? S_G_DOT_A : S_R_MAX_A;
        S_R_MAX_A: begin gs_ret <= S_R_MAX_B; gs_st <= S_G_MEM; end
        S_R_MAX_B: gs_st <= !(i + 1 < n) ? S_R_S : (i_r[0] ? S_R_MAX_A : S_R_MAX_B);
        S_R_S: gs_st <= S_R_N2_A;
        S_R_N2_A: begin gs_ret <= S_R_N2_B; gs_st <= S_G_MEM; end
        S_R_N2_B: gs_st <= !(i + 1 < n) ? S_R_VT : (i_r[0] ? S_R_N2_A : S_R_N2_B);
        S_R_VT: gs_st <= vanish_w ? S_R_VZ : S_R_SQ;
        S_R_SQ: if (sq_out_valid) gs_st <= S_R_DIV;
        S_R_DIV: if (div_fin) gs_st <= S_R_PM_A;
        S_R_PM_A: begin gs_ret <= S_R_PM_B; gs_st <= S_G_MEM; end
        S_R_PM_B: gs_st <= !(i + 1 < n) ? S_R_PE : (i_r[0] ? S_R_PM_A : S_R_PM_B);
        S_R_PE: gs_st <= S_R_PW_A;
        S_R_PW_A: begin gs_ret <= S_R_PW_B; gs_st <= S_G_MEM; end
        S_R_PW_B: if (mq_go) begin gs_ret <= S_R_PW_C; gs_st <= S_G_MEM; end
                  else gs_st <= i_r[0] ? S_R_PW_A : S_R_PW_B;
        S_R_PW_C: gs_st <= (i + 1 < n) ? S_R_PW_A : S_R_END;
        S_R_END: gs_st <= S_R_SIDE;
        S_R_VZ: begin gs_ret <= S_R_VZ_NEXT; gs_st <= S_G_MEM; end
        S_R_VZ_NEXT: gs_st <= (i + 4 < n) ? S_R_VZ : S_R_SIDE;
        S_R_SIDE: gs_st <= S_G_IDLE;  // done
        default: gs_st <= S_G_IDLE;
      endcase
    end
  end
  // §4.4 - §4.7 the c_L / c_R blocks, the core sums, the kappa test, E_C, C / U / V.
  always_ff @(posedge clk) begin : core_fsm
    if (rst) begin
      co_st <= S_C_IDLE;
    end else if (co_start) begin
      co_st <= S_BLK;
    end else begin
      case (co_st)
        S_C_IDLE: ;
        S_BLK: if (ph == 2'd2 && !(t + 1 < q) && side) co_st <= S_CORE;
        S_CORE: if (!(ci + 1 < q) && !(cj + 1 < q)) co_st <= S_KAPPA;
        S_KAPPA: co_st <= S_KAPPA2;
        S_KAPPA2: co_st <= S_KAPPA3;
        S_KAPPA3: co_st <= skip_w ? S_C_IDLE : S_EC;  // a skip is done here
        S_EC: co_st <= S_CONV;
        S_CONV: if (co_done) co_st <= S_C_IDLE;
        default: co_st <= S_C_IDLE;
      endcase
    end
  end
  // §4.7 the Jacobi sweeps, sigma and the sort.
  always_ff @(posedge clk) begin : jac_fsm
    if (rst) begin
      ja_st <= S_J_IDLE;
    end else if (ja_start) begin
      ja_st <= S_J_P0;
    end else begin
      case (ja_st)
        S_J_IDLE: ;
        S_J_P0: ja_st <= S_J_P1;
        S_J_P1: ja_st <= S_J_P2;
        S_J_P2: ja_st <= S_J_PAIR;
        S_J_PAIR: ja_st <= S_J_A1;
        S_J_A1: if (co_fin) ja_st <= S_J_A2;
        S_J_A2: if (co_fin) ja_st <= S_J_C1;
        S_J_C1: if (co_fin) ja_st <= S_J_C2;
        S_J_C2: if (co_fin) ja_st <= S_J_ROT;
        S_J_ROT: if (ph == 2'd3 && !(t + 1 < q) && rk == 2'd3) ja_st <= S_J_NEXT;
        S_J_NEXT: ja_st <= (jk + 1 < q || jp + 2 < q || sweep + 1 < Sweeps) ? S_J_P0 : S_J_SIG;
        S_J_SIG: if (!(t + 1 < q)) ja_st <= S_J_SORT;
        S_J_SORT: if (ja_done) ja_st <= S_J_IDLE;
        default: ja_st <= S_J_IDLE;
      endcase
    end
  end
  // §4.8 the spectrum reduction (unbiased) and §4.9 the mixing and the new c_x block.
  always_ff @(posedge clk) begin : spm_fsm
    if (rst) begin
      sp_st <= S_SP_IDLE;
    end else if (sp_start) begin
      sp_st <= S_SP_START;
    end else begin
      case (sp_st)
        S_SP_IDLE: ;
        S_SP_START: sp_st <= mode ? S_SP_M0 : S_MIX;
        S_SP_M0: if (t == 0) sp_st <= S_SP_DIV;
        S_SP_DIV: sp_st <= S_SP_DIVW;
        S_SP_DIVW: if (div_out_valid) sp_st <= S_SP_SQW;
        S_SP_SQW: if (sq_out_valid) sp_st <= (t + 1 <= kk) ? S_SP_DIV : S_SP_INV;
        S_SP_INV: sp_st <= S_SP_INVW;
        S_SP_INVW: if (div_out_valid) sp_st <= S_SP_MWW;
        S_SP_MWW: if (div_out_valid) sp_st <= S_SP_G;
        S_SP_G: sp_st <= S_SP_H;
        S_SP_H: if (!(k + 1 <= kk)) sp_st <= (t + 1 <= kk) ? S_SP_G : S_MIX;
        S_MIX: if (!(k + 1 < q) && side && !(i + 1 < q) && !(j + 1 < r)) sp_st <= S_CXN;
        S_CXN: sp_st <= S_CXN_W;
        S_CXN_W: if (sp_done) sp_st <= S_SP_IDLE;
        default: sp_st <= S_SP_IDLE;
      endcase
    end
  end
  // §4.10 the basis update, one side per start.
  always_ff @(posedge clk) begin : upd_fsm
    if (rst) begin
      up_st <= S_U_IDLE;
      up_ret <= S_U_IDLE;
    end else if (up_start) begin
      up_st <= S_U_START;
    end else begin
      case (up_st)
        S_U_IDLE: ;
        S_U_MEM: if (mem_done) up_st <= up_ret;
        S_U_START: up_st <= S_U_RD;
        S_U_RD: begin up_ret <= S_U_RD_B; up_st <= S_U_MEM; end
        S_U_RD_B: up_st <= (l + 1 < q) ? S_U_RD : S_U_ACC;
        S_U_ACC: if (!(k + 1 < q)) up_st <= S_U_LANE;
        S_U_LANE: if (mq_go) begin up_ret <= S_U_ACC_NEXT; up_st <= S_U_MEM; end
                  else up_st <= (ln != 2'd3 && i + 32'(ln) + 1 < n) ? S_U_ACC : S_U_ACC_NEXT;
        S_U_ACC_NEXT:
          if (t + 1 < r) up_st <= S_U_ACC;
          else if (i + 4 < n) up_st <= S_U_RD;
          else up_st <= pass ? S_U_SIDE : S_U_EXP;
        S_U_EXP: if (!(t + 1 < r)) up_st <= S_U_RD;
        S_U_SIDE: up_st <= S_U_IDLE;  // done
        default: up_st <= S_U_IDLE;
      endcase
    end
  end

  // §4.6 the kappa test's limbs (S_KAPPA..3; s00's register holds the running remainder).
  logic signed [72:0] kd0;
  logic signed [65:0] kd1;
  logic signed [47:0] kd2;
  always_comb begin : kappa_limbs
    kd0 = '0;
    kd1 = '0;
    kd2 = '0;
    skip_w = 1'b0;
`ifdef VERILATOR  // simulation speed: skipped while unread (same outputs; Yosys sees no guard)
    if (state == S_KAPPA || state == S_KAPPA2 || state == S_KAPPA3 || co_st == S_KAPPA3)
`endif
    begin
      kd0 = ((state == S_KAPPA) ? (73'(s00) <<< 8) : 73'(kres)) - 73'(mul_p);  // one subtractor
      kd1 = 66'(kd0);
      kd2 = 48'(kd0);
      skip_w = co_st == S_KAPPA3 && !van[0] && !van[1] && kappa != 36'd0 && (kd2 > 48'sd0 || (kd2 == 48'sd0 && knz));
    end
  end

  // ---------------- the datapath's registers ----------------
  // Written in the granted phase's state (the FSMs above only step the states); the same
  // registers, in the same cycles, as under one sequencer.
  always_ff @(posedge clk) begin : seq
    if (rst) begin
      done_valid <= 1'b0;
      div_in_valid <= 1'b0;
      sq_in_valid <= 1'b0;
      co_in_valid <= 1'b0;
      pair_count <= '0;
      sg_st <= 2'd3;
      cw <= '0;
    end else begin
      if (sg_go) begin
        sg_st <= sg_st + 2'd1;
        case (sg_st)
          2'd0: sign_word <= sg_p + seed;
          2'd1: sign_word <= sg_p;
          default: sign_word <= sg_p ^ (sg_p >> 16);
        endcase
      end
      if (div_in_valid && div_in_ready) div_in_valid <= 1'b0;
      if (sq_in_valid && sq_in_ready) sq_in_valid <= 1'b0;
      if (co_in_valid && co_in_ready) co_in_valid <= 1'b0;
      if (cfg_pair_load && state == S_IDLE) pair_count <= cfg_pair;
      if (cw != 8'hff) cw <= cw + 8'd1;
      case (state)
        S_IDLE: begin
          if (start_valid) begin
            rank_r <= cfg_rank;
            n_len_r[0] <= cfg_n_o;
            n_len_r[1] <= cfg_n_i;
            mode_r <= cfg_mode;
            kappa_r <= cfg_kappa;
            seed_r <= cfg_seed;
            exp_in_r[0] <= EW'(32'(start_dz_exp));
            exp_in_r[1] <= EW'(32'(start_a_exp));
            sign_word <= pair_count;  // the sign generator's input, then its word
            sg_st <= 2'd0;
            pair_count <= pair_count + 32'd1;
            x2_r[0] <= '0;
            x2_r[1] <= '0;
            nonzero[0] <= 1'b0;
            nonzero[1] <= 1'b0;
            van[0] <= 1'b0;
            van[1] <= 1'b0;
            sats <= '0;
            kept <= 4'd0;
            ec_r <= EW'(0);
            skip <= 1'b0;
            zero_in <= 1'b0;
            side <= 1'b0;
            i_r <= NW'(0);
          end
        end
        // ---- §4.1 input: w = x 2^8 into the scratch (two values per word), |x|^2, the zero test ----
        S_IN: begin
          if (code_valid) begin
            if (code_data != 16'sd0) nonzero[side] <= 1'b1;
            wa <= in_w;
          end
        end
        S_IN_NEXT: begin
          x2_r[side] <= 45'(acc_p);  // + the square of the code just taken (wa)
          if (i + 1 < n) begin
            i_r <= NW'(i + 1);
          end else if (side == 1'b0) begin
            side <= 1'b1;
            i_r <= NW'(0);
          end
        end
        S_ZERO_CHECK: begin
          if (!nonzero[0] || !nonzero[1]) begin
            zero_in <= 1'b1;
            done_valid <= 1'b1;
          end else begin
            t_r <= CW'(0);
            cx_any <= 1'b0;
            upd[0] <= 1'b0;
            upd[1] <= 1'b0;
            for (int m2 = 0; m2 < MQ; m2++) cx_val[m2] <= 1'b0;
          end
        end
        // ---- metadata: exponents and c_x ----
        S_LOAD_NEXT: begin
          if (t < 2 * q) begin  // the exponents: into u_eq by its port logic
          end else if (t < 3 * q) begin  // the code itself: into u_cx by its port logic
            cx_val[t - 2 * q] <= 1'b1;
            if (rdata[31:0] != 32'd0) cx_any <= 1'b1;
          end
          else cxe_r <= EW'(32'($signed(rdata[15:0])));
          if (t == 3 * q) side <= 1'b0;
          else t_r <= CW'(t + 1);
        end
        // ---- §4.2 Gram-Schmidt, two passes over columns 0..r-1 ----
        // The update runs even for a zero dot product (cm = 0 leaves w unchanged): a fixed
        // schedule.
        S_G_START: begin
          for (int m2 = 0; m2 < MQ; m2++) begin
            cf_val[side][m2] <= 1'b0;
            live[side][m2] <= 1'b0;
          end
          pass <= 1'b0;
          j_r <= CW'(0);
          i_r <= NW'(0);
          cbase <= '0;
          acc <= '0;
        end
        // one beat of four rows: the Q word, one or two scratch words; its products (lane_select)
        S_G_DOT_B: begin
          qw <= rdata;
          if (!pass && rdata != 64'd0) live[side][j] <= 1'b1;  // (the lanes past row n are zero)
        end
        // the beat's products into acc (lane_select), one per cycle
        S_G_DOT_A, S_G_DOT_C: acc <= acc_p;
        S_G_MEM: if (dot_w1) acc <= acc_p;
        S_G_DOT_D: begin
          acc <= acc_p;
          if (i + 4 < n) i_r <= NW'(i + 4);
        end
        S_G_DOT_END: begin
          cm <= 32'(nz_out);
          ce_r <= EW'(eq_v + exp_in[side] - 8 + gs_sh);
          tsh_r <= EW'(-2 * eq_v - gs_sh);  // e_w - ce - e_Qj
          i_r <= NW'(0);
        end
        // one scratch word (rows i, i + 1) per round: its rows updated one per cycle on the
        // shared multiplier and normalizer (C: row i, D: row i + 1), written back; the Q word
        // is read at every other scratch word
        S_G_UPD_B: qw <= rdata;
        S_G_UPD_C: begin
          if (upd_c != upd_d) sats <= sats + 32'd1;
          wa <= 32'(upd_c);
        end
        S_G_UPD_D: if (upd_c != upd_d) sats <= sats + 32'd1;
        S_G_UPD_E: if (i + 2 < n) i_r <= NW'(i + 2);
        S_G_COEF: if (cm != 32'sd0) cf_val[side][j] <= 1'b1;  // (the file: its port logic)
        S_G_NEXTJ: begin
          i_r <= NW'(0);
          acc <= '0;
          if (j + 1 < r) begin
            j_r <= CW'(j + 1);
            cbase <= cbase + nix;
          end else if (!pass) begin
            pass <= 1'b1;
            j_r <= CW'(0);
            cbase <= '0;
          end else begin
            rbase <= cbase + nix;
            big_r <= '0;
          end
        end
        // ---- §4.3 the new column ----
        // (the loops over the scratch read a word at every even row, B takes one row per cycle)
        S_R_MAX_B, S_R_PM_B: begin
          if (big_gt) big_r <= 56'(mag);
          if (i + 1 < n) i_r <= NW'(i + 1);
        end
        S_R_S: begin  // M = 0 runs the n2 loop too (n2 = 0 vanishes): a fixed schedule
          i_r <= NW'(0);
          ssh_r <= EW'(bl_w - 24);
          ev_r <= EW'(exp_in[side] - 8 + bl_w - 24);
          acc <= '0;  // n2
        end
        S_R_N2_B: begin
          x2_len <= 7'(bl_w);
          acc <= acc_p;  // n2
          if (i + 1 < n) i_r <= NW'(i + 1);
        end
        S_R_VT: begin
          i_r <= NW'(0);
          if (!vanish_w) begin
            sq_in_valid <= 1'b1;
          end
        end
        S_R_SQ: begin
          if (sq_out_valid) begin
            nr_r <= 34'(sq_round);  // norm
            bn_r <= EW'(bl_w);
            div_in_valid <= 1'b1;
            cw <= '0;
          end
        end
        S_R_DIV: begin
          if (div_fin) begin
            rg_r <= 34'(div_q_v);  // recip
            big_r <= '0;
          end
        end
        S_R_PE: begin
          eq_r <= fx_out;
          i_r <= NW'(0);
        end
        S_R_PW_B: begin  // code i into lane i mod 4; the Q word written at its last row
          qw <= pw_word;
          if (!mq_go) i_r <= NW'(i + 1);
        end
        S_R_PW_C: if (i + 1 < n) i_r <= NW'(i + 1);
        S_R_END: begin
          live[side][r] <= 1'b1;
          cf_val[side][r] <= 1'b1;
        end
        S_R_VZ_NEXT: begin  // one zero word per four rows
          if (i + 4 < n) begin
            i_r <= NW'(i + 4);
          end else begin
            live[side][r] <= 1'b0;
            cf_val[side][r] <= 1'b0;
            van[side] <= 1'b1;
          end
        end
        S_R_SIDE: begin  // (the top starts the other side or the core)
          if (side == 1'b0) begin
            side <= 1'b1;
          end else begin
            side <= 1'b0;
            t_r <= CW'(0);
            ph <= 2'd0;
            bany <= 1'b0;
            btop <= 0;
            bcarry <= 1'b0;
          end
        end
        // ---- §4.4 c_L, c_R blocks (b = 30), one side per cycle ----
        S_BLK: begin  // coefficient t of this side, pass ph (zero coefficients are skipped)
          case (ph)
            2'd0: begin
              // e_ref of this side (§4.10): the largest exponent of a live column, else 0
              if (t == 0 || (live[side][t] && (!eref_any[side] || eq_v > eref))) begin
                eref_r[side] <= (live[side][t]) ? EW'(eq_v) : EW'(0);
                eref_any[side] <= live[side][t];
              end
              if (cf_m != 34'sd0) begin
                if (!bany || bl_len > btop) btop <= bl_len;
                bany <= 1'b1;
              end
            end
            2'd1: if (cf_m != 34'sd0 && nz_out > 64'sd1073741823) bcarry <= 1'b1;
            default: ;  // the code: written into u_cb0 / u_cb1 by the port logic above
          endcase
          if (t + 1 < q) t_r <= CW'(t + 1);
          else begin
            t_r <= CW'(0);
            if (ph != 2'd2) ph <= ph + 2'd1;
            else begin
              ph <= 2'd0;
              eblk_r[side] <= EW'(bl_e + 32'(bcarry));
              bany <= 1'b0;
              btop <= 0;
              bcarry <= 1'b0;
              if (side == 1'b0) begin
                side <= 1'b1;
              end else begin
                side <= 1'b0;
                ci_r <= CW'(0);
                cj_r <= CW'(0);
                acc <= '0;  // summax
              end
            end
          end
        end
        // ---- §4.5 core sums S, one entry per cycle (ci row, cj column) ----
        S_CORE: begin
          ea_r <= EW'(e_a);
          if (ci == 0 && cj == 0) s00 <= core_s;
          if (ci == q - 1 && cj == q - 1) srr <= core_s;
          if (big_gt) acc <= $signed(mag);  // summax
          if (ci + 1 < q) ci_r <= CW'(ci + 1);
          else begin
            ci_r <= CW'(0);
            if (cj + 1 < q) cj_r <= CW'(cj + 1);
          end
        end
        // ---- §4.6 degenerate pairs and the kappa test: kappa S_rr over three limbs of S_rr
        // (27, 27 bits unsigned, the rest signed), 97-bit exact (kappa_limbs) ----
        S_KAPPA: begin  // R0 = S_00 2^8 - kappa limb0
          s00 <= 64'(48'(kd0 >>> 27));  // kres
          knz <= kd0[26:0] != 27'd0;
        end
        S_KAPPA2: begin  // R1 = floor(R0 / 2^27) - kappa limb1
          s00 <= 64'(48'(kd1 >>> 27));  // kres
          knz <= knz || kd1[26:0] != 27'd0;
        end
        S_KAPPA3: begin  // R2 = floor(R1 / 2^27) - kappa limb2 (signed, |.| < 2^46); D > 0?
          if (skip_w) begin
            skip <= 1'b1;
            t_r <= CW'(0);
          end
        end
        S_EC: begin
          ec_r <= fx_out;
          ci_r <= CW'(0);
          cj_r <= CW'(0);
        end
        // ---- §4.7 C in 27-bit codes (S recomputed), U = V = I, one entry per cycle ----
        S_CONV: begin  // the register files are written by the port logic above
          if (ci + 1 < q) ci_r <= CW'(ci + 1);
          else begin
            ci_r <= CW'(0);
            if (cj + 1 < q) cj_r <= CW'(cj + 1);
            else begin
              sweep_r <= CW'(0);
              jp_r <= CW'(0);
              jk_r <= CW'(1);
            end
          end
        end
        // ---- §4.7 two-sided cyclic Jacobi, 8 sweeps ----
        // An exactly-zero pair (no rotation) runs the same steps with its writes suppressed.
        // the pair's four entries, one register-file read per cycle: ra = C_pk, rb = C_kp,
        // ca = C_pp, then C_kk (kept in sa for the second angle); ca, sa are free until S_J_C1
        S_J_P0: ra <= ja_rd;
        S_J_P1: rb <= ja_rd;
        S_J_P2: ca <= ja_rd;
        S_J_PAIR: begin
          jdry <= ra == 32'sd0 && rb == 32'sd0;
          sa <= ja_rd;
          co_in_valid <= 1'b1;
          cw <= '0;
        end
        S_J_A1: begin
          if (co_fin) begin
            ts_r <= 40'(co_ang_v);  // th_sum
            co_in_valid <= 1'b1;
            cw <= '0;
          end
        end
        S_J_A2: begin
          if (co_fin) begin
            // beta = (sum + diff) >> 1 (floor); alpha = (sum - diff) >> 1 = beta - diff
            co_in_valid <= 1'b1;
            ts_r <= (th_sum + 40'(co_ang_v)) >>> 1;  // th_sum = beta
            cw <= '0;
          end
        end
        S_J_C1: begin
          if (co_fin) begin
            ca <= co_cos_v;
            sa <= co_sin_v;
            co_in_valid <= 1'b1;
            cw <= '0;
          end
        end
        S_J_C2: begin
          if (co_fin) begin
            t_r <= CW'(0);
            rk <= 2'd0;
            ph <= 2'd0;
          end
        end
        // One plane rotation of a pair of entries in 4 cycles through the shared multiplier:
        // (x, y) <- (round((c x - s y) 2^-30), round((s x + c y) 2^-30)); rk selects rows of
        // C (alpha), columns of C (beta), U columns (alpha), V columns (beta). x is read at
        // ph 0, y at ph 1; x' is written at ph 2, y' at ph 3 (the port logic above).
        S_J_ROT: begin
          ph <= ph + 2'd1;
          case (ph)
            2'd0: begin
              ra <= rot_v;
              acc <= 64'(mul_p);
            end
            2'd1: begin
              rb <= rot_v;
              acc <= acc_p;  // c x - s y (the multiplier gave - s y)
            end
            2'd2: acc <= 64'(mul_p);  // s x; nz_out = round((c x - s y) 2^-30) is written
            default: begin  // nz_out = round((s x + c y) 2^-30) is written
              if (t + 1 < q) t_r <= CW'(t + 1);
              else begin
                t_r <= CW'(0);
                rk <= rk + 2'd1;
              end
            end
          endcase
        end
        S_J_NEXT: begin
          if (jk + 1 < q) begin
            jk_r <= CW'(jk + 1);
          end else if (jp + 2 < q) begin
            jp_r <= CW'(jp + 1);
            jk_r <= CW'(jp + 2);
          end else if (sweep + 1 < Sweeps) begin
            sweep_r <= CW'(sweep + 1);
            jp_r <= CW'(0);
            jk_r <= CW'(1);
          end else begin
            t_r <= CW'(0);
          end
        end
        S_J_SIG: begin  // sigma_t = |C_tt|, one per cycle; U's column t negated (applied where U is read)
          neg[t] <= ja_rd < 0;
          taken[t] <= 1'b0;
          if (t == 0 || sig_w > bv_r) begin  // the largest sigma so far: position 0's column
            sbest_r <= CW'(t);
            bv_r <= sig_w;
          end
          nb_any <= 1'b0;
          if (t + 1 < q) t_r <= CW'(t + 1);
          else begin
            t_r <= CW'(0);
            k_r <= CW'(0);
          end
        end
        S_J_SORT: begin  // sorted position t, row k of its U column
          ts_r <= 40'(sort_piv);  // pval
          nb_r <= nb_w;
          nbv_r <= nbv_w;
          if (nb_take) nb_any <= 1'b1;
          if (k + 1 < q) k_r <= CW'(k + 1);
          else begin  // (the sorted sigma, bv_r, is written into u_hs by its port logic)
            k_r <= CW'(0);
            taken[sort_col] <= 1'b1;
            perm[t] <= 4'(sort_col);
            fu[t] <= sort_flip ^ neg[sort_col];
            fv[t] <= sort_flip;
            sbest_r <= nb_w;  // the next position's column and sigma
            bv_r <= nbv_w;
            nb_any <= 1'b0;
            if (t + 1 < q) t_r <= CW'(t + 1);
          end
        end
        // ---- §4.8 spectrum reduction (u_hs: sorted sigma; u_sg: x0, then v_0) ----
        S_SP_START: begin
          spdry <= 1'b0;
          if (!mode) begin
            kept <= 4'(r);
            t_r <= CW'(0);
            j_r <= CW'(0);
            k_r <= CW'(0);
            i_r <= NW'(0);
            acc <= '0;
            side <= 1'b0;
          end else begin
            t_r <= CW'(q - 1);
            acc <= '0;
          end
        end
        S_SP_M0: begin  // sorted sigma_t, t = q-1 down to 0
          acc <= sp_sfx;
          m0_r <= CW'(sp_m0);
          ts_r <= sp_s1;  // s1
          if (t != 0) t_r <= CW'(t - 1);
          else begin
            kk_r <= CW'(q - 1 - sp_m0);
            spdry <= sp_s1 == 0;
            kept <= 4'(sp_m0);
          end
        end
        // s1 = 0 (spdry) runs the same divisions on harmless operands and writes nothing.
        S_SP_DIV: begin  // x0_t = isqrt_round(div_round(s1 - k sigma_{m0+t}, s1, 60))
          div_in_valid <= 1'b1;
        end
        S_SP_DIVW: begin
          if (div_out_valid) begin
            sq_in_valid <= 1'b1;
          end
        end
        S_SP_SQW: begin  // x0_t: into u_sg by its port logic
          if (sq_out_valid && t + 1 <= kk) t_r <= CW'(t + 1);
        end
        S_SP_INV: begin
          div_in_valid <= 1'b1;  // v_0 = x0_0 - 2^30 replaces x0_0 in u_sg (port logic)
        end
        S_SP_INVW: begin
          if (div_out_valid) begin
            nr_r <= $signed(div_quot[33:0]);  // inv_v0
            div_in_valid <= 1'b1;
          end
        end
        S_SP_MWW: begin
          if (div_out_valid) begin
            s1k_r <= 37'($signed(div_quot));
            t_r <= CW'(1);
          end
        end
        S_SP_G: begin  // g = round(x0_t inv 2^-30)
          rg_r <= 34'(nz_out);  // gg
          k_r <= CW'(0);
        end
        S_SP_H: begin  // Householder column t (1..k), entry k (written by the port logic above)
          if (k + 1 <= kk) k_r <= CW'(k + 1);
          else if (t + 1 <= kk) begin
            t_r <= CW'(t + 1);
          end else begin
            t_r <= CW'(0);
            j_r <= CW'(0);
            k_r <= CW'(0);
            i_r <= NW'(0);
            acc <= '0;
            side <= 1'b0;
          end
        end
        // ---- §4.9 mixing matrices: M[i][j] = sum_k U_ik Q_x[k][j], one product per cycle,
        // left then right per entry ----
        S_MIX: begin
          if (k + 1 < q) begin
            acc <= acc_p;
            k_r <= CW'(k + 1);
          end else begin
            acc <= '0;
            k_r <= CW'(0);
            if (side == 1'b0) side <= 1'b1;
            else begin
              side <= 1'b0;
              if (i + 1 < q) i_r <= NW'(i + 1);
              else begin
                i_r <= NW'(0);
                if (j + 1 < r) j_r <= CW'(j + 1);
              end
            end
          end
        end
        S_CXN: begin  // new c_x: unsigned block, b = 31, at E_C
          exn_r <= fx_out;
          for (int m2 = 0; m2 < MQ; m2++) cx_val[m2] <= 1'b0;  // entries >= r read 0
          t_r <= CW'(0);
        end
        S_CXN_W: begin  // code t of the new c_x block
          cx_val[t] <= 1'b1;  // the code: into u_cx by its port logic
          if (t + 1 < r) t_r <= CW'(t + 1);
          else side <= 1'b0;
        end
        // ---- §4.10 basis update, four rows (one Q word per column) at a time: pass 0 finds
        // max |acc_j|, pass 1 writes ----
        S_U_START: begin
          pass <= 1'b0;
          i_r <= NW'(0);
          l_r <= NW'(0);
          lad <= '0;
        end
        S_U_RD_B: begin
          if (l + 1 < q) begin
            l_r <= NW'(l + 1);
            lad <= lad + nix;
          end else begin
            l_r <= NW'(0);
            t_r <= CW'(0);
            k_r <= CW'(0);
            ln <= 2'd0;
            tad <= IW'(i >>> 2);
          end
        end
        S_U_ACC: begin  // row i + ln of column t, term k: one product per cycle, summed in acc
          acc <= (k == 0) ? 64'(mul_p) : acc_p;
          k_r <= (k + 1 < q) ? CW'(k + 1) : CW'(0);
        end
        S_U_LANE: begin  // row i + ln of column t: pass 0 its maximum (u_bc), pass 1 its code
          qw <= pw_word;
          if (ln != 2'd3 && i + 32'(ln) + 1 < n) ln <= ln + 2'd1;
        end
        S_U_ACC_NEXT: begin
          if (t + 1 < r) begin
            t_r <= CW'(t + 1);
            ln <= 2'd0;
            tad <= tad + nix;
          end else if (i + 4 < n) begin  // the next block of four rows
            i_r <= NW'(i + 4);
            lad <= IW'((i >>> 2) + 1);
          end else if (!pass) begin
            t_r <= CW'(0);
          end else begin
            upd[side] <= 1'b1;  // (live is recomputed by the next pair's Gram-Schmidt)
          end
        end
        S_U_EXP: begin  // exponent of new column t, one per cycle
          if (t + 1 < r) t_r <= CW'(t + 1);
          else begin
            pass <= 1'b1;
            i_r <= NW'(0);
            lad <= '0;
          end
        end
        S_U_SIDE: begin  // (the top starts the other side or the write-back)
          if (side == 1'b0) begin
            side <= 1'b1;
          end else begin
            cxe_r <= EW'(exn);
            t_r <= CW'(0);
          end
        end
        // ---- write back exponents, c_x, its exponent ----
        S_FIN_NEXT: begin
          if (t == 3 * q) done_valid <= 1'b1;
          else t_r <= CW'(t + 1);
        end
        S_DONE: if (done_ready) done_valid <= 1'b0;
        default: ;
      endcase
    end
  end

`ifndef SYNTHESIS
  // ---------------- protocol assertions (Verilated builds: --assert) ----------------
  // Immediate assertions in one clocked process (`protocol`): at a rising edge it reads every
  // signal as it was before the edge, which is what a concurrent assertion samples, and a check
  // on the cycle after a condition ("|=>", "$stable") compares with the values registered below
  // in that cycle. (Concurrent assertions took 16 % of the co-simulation's time in Verilator
  // 5.006, docs/performance.md; these check the same properties.) Reset disables every check,
  // and an obligation begun under reset, as "disable iff (rst)" does.
  // Registered for the next cycle's checks: a valid left waiting and its payload, last cycle's
  // phase starts and dones (done: not restarted), a read outstanding.
  logic mem_wait_q, done_wait_q, start_wait_q, code_wait_q;
  logic mem_write_q;
  logic [ADDR_W-1:0] mem_addr_q;
  logic [DATA_W-1:0] mem_wdata_q;
  logic [7:0] done_flags, done_flags_q;  // (the payload in 32-bit pieces: no wide vector per cycle)
  logic [31:0] done_sign_q, done_cexp_q, done_sats_q;
  logic signed [15:0] start_dz_q, start_a_q, code_q;
  logic rd_out;
  logic [4:0] start_q, done_q;
  assign done_flags = {done_zero_input, done_vanished_left, done_vanished_right, done_skipped_kappa, done_kept};
  always_ff @(posedge clk) begin : protocol_history
    mem_wait_q <= !rst && mem_req_valid && !mem_req_ready;
    done_wait_q <= !rst && done_valid && !done_ready;
    start_wait_q <= !rst && start_valid && !start_ready;
    code_wait_q <= !rst && code_valid && !code_ready;
    if (mem_req_valid && !mem_req_ready) begin
      mem_write_q <= mem_req_write;
      mem_addr_q <= mem_req_addr;
      mem_wdata_q <= mem_req_wdata;
    end
    if (done_valid && !done_ready) begin
      done_flags_q <= done_flags;
      done_sign_q <= done_sign_word;
      done_cexp_q <= done_c_exponent;
      done_sats_q <= done_saturations;
    end
    if (start_valid && !start_ready) begin
      start_dz_q <= start_dz_exp;
      start_a_q <= start_a_exp;
    end
    if (code_valid && !code_ready) code_q <= code_data;
    if (rst) rd_out <= 1'b0;
    else if (mem_req_valid && mem_req_ready && !mem_req_write) rd_out <= 1'b1;
    else if (mem_rsp_valid) rd_out <= 1'b0;
    start_q <= rst ? 5'd0 : {up_start, sp_start, ja_start, co_start, gs_start};
    done_q <= rst ? 5'd0 : {up_done && !up_start, sp_done, ja_done, co_done, gs_done && !gs_start};
  end
  // Every address inside the memory map for this rank and shape.
  logic [3:0] a_region;
  logic [27:0] a_index;
  logic a_in_map;
  always_comb begin
    a_region = mem_req_addr[31:28];
    a_index = mem_req_addr[27:0];
    case (a_region)
      4'd0, 4'd1: a_in_map = 32'(a_index) < ((n_len[a_region[0]] + 3) >>> 2) * q;
      4'd2, 4'd3: a_in_map = 32'(a_index) < ((n_len[a_region[0]] + 1) >>> 1);
      4'd4: a_in_map = 32'(a_index) < q || (a_index >= 28'd16 && 32'(a_index) < 16 + q) ||
                       (a_index >= 28'd32 && 32'(a_index) < 32 + q) || a_index == 28'd48;
      default: a_in_map = 1'b0;
    endcase
  end
  // The phases busy (the phase FSMs out of idle).
  logic [4:0] ph_busy;
  assign ph_busy = {up_st != S_U_IDLE, sp_st != S_SP_IDLE, ja_st != S_J_IDLE, co_st != S_C_IDLE,
                    gs_st != S_G_IDLE};
  always_ff @(posedge clk) begin : protocol
    if (!rst) begin
      // valid/ready: a valid is held until the transfer, its payload stable meanwhile (the
      // unit's outputs: memory requests, results; the environment's: start, codes).
      a_mem_hold: assert (!mem_wait_q || (mem_req_valid && mem_req_write == mem_write_q &&
                                          mem_req_addr == mem_addr_q && mem_req_wdata == mem_wdata_q))
        else $error("rr_unit: memory request dropped or changed before it was accepted");
      a_done_hold: assert (!done_wait_q || (done_valid && done_flags == done_flags_q && done_sign_word == done_sign_q &&
                                            done_c_exponent == done_cexp_q && done_saturations == done_sats_q))
        else $error("rr_unit: result dropped or changed before it was accepted");
      a_start_hold: assert (!start_wait_q || (start_valid && start_dz_exp == start_dz_q && start_a_exp == start_a_q))
        else $error("rr_unit: start dropped or changed before it was accepted");
      a_code_hold: assert (!code_wait_q || (code_valid && code_data == code_q))
        else $error("rr_unit: code dropped or changed before it was accepted");
      // SRAM port: one request in flight (no request while a read is outstanding), a response
      // only for an outstanding read, every address inside the memory map.
      a_one_in_flight: assert (!mem_req_valid || !rd_out)
        else $error("rr_unit: a memory request while a read is outstanding");
      a_rsp_expected: assert (!mem_rsp_valid || rd_out)
        else $error("rr_unit: a read response without a read");
      a_addr_map: assert (!mem_req_valid || a_in_map)
        else $error("rr_unit: memory address outside the map");
      // Phase handshakes: one phase busy at a time and it is the one granted the datapath; a
      // start only to an idle phase (or to the one finishing, for the other side), a done only
      // to the top waiting for it; a memory request only from an idle port, a wait only on a
      // busy one.
      a_one_phase: assert ($onehot0(ph_busy))
        else $error("rr_unit: two phases busy at once");
      a_granted: assert ((!ph_busy[0] || owner == O_GS) && (!ph_busy[1] || owner == O_CORE) &&
                         (!ph_busy[2] || owner == O_JAC) && (!ph_busy[3] || owner == O_SPM) &&
                         (!ph_busy[4] || owner == O_UPD))
        else $error("rr_unit: a busy phase not granted the datapath");
      a_start_idle: assert ((!gs_start || !ph_busy[0] || gs_done) && (!co_start || ph_busy == 5'b00001) &&
                            (!ja_start || ph_busy == 5'b00010) && (!sp_start || ph_busy == 5'b00100) &&
                            (!up_start || ph_busy == 5'b01000 || up_done))
        else $error("rr_unit: a phase started while another one runs");
      a_start_taken: assert ((!start_q[0] || gs_st == S_G_START) && (!start_q[1] || co_st == S_BLK) &&
                             (!start_q[2] || ja_st == S_J_P0) && (!start_q[3] || sp_st == S_SP_START) &&
                             (!start_q[4] || up_st == S_U_START))
        else $error("rr_unit: a start not taken");
      a_done_awaited: assert ((!gs_done || top_st == S_T_GS) && (!co_done || top_st == S_T_CORE) &&
                              (!ja_done || top_st == S_T_JAC) && (!sp_done || top_st == S_T_SPM) &&
                              (!up_done || top_st == S_T_UPD))
        else $error("rr_unit: a phase done the top does not wait for");
      a_done_idle: assert ((done_q & ph_busy) == 5'd0)
        else $error("rr_unit: a phase still busy after its done");
      a_mem_free: assert (!mq_go || (!mem_req_valid && !rd_pend))
        else $error("rr_unit: a memory request while the port is busy");
      a_mem_wait: assert (!(top_st == S_T_MEM || gs_st == S_G_MEM || up_st == S_U_MEM) || mem_req_valid || rd_pend)
        else $error("rr_unit: waiting for an idle memory port");
    end
  end
`endif

  assign done_zero_input = zero_in;
  assign done_vanished_left = van[0];
  assign done_vanished_right = van[1];
  assign done_skipped_kappa = skip;
  assign done_kept = kept;
  assign done_sign_word = sign_word;
  assign done_c_exponent = 32'(ec);
  assign done_saturations = sats;
endmodule
