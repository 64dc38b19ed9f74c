// Register file of the rank-reduce unit's small q x q matrices (docs/rtl.md, "Micro-architecture"):
// DEPTH words of WIDTH bits, one write port (written at the rising edge when we is high) and one
// combinational read port. One read and one write per cycle, as a 1R1W register-file macro
// provides; the read sees the old word when it reads the address being written.
// This model is what simulation runs; synthesis (scripts/synth_rank_reduce.sh) reads it as a
// black box and prices its DEPTH x WIDTH bits as a register-file macro instead of mapping them to
// flip-flops and read multiplexers. An address >= DEPTH reads 0 and writes nothing.
module rr_regfile #(
    parameter int DEPTH = 25,
    parameter int WIDTH = 32,
    parameter int AW = 5  // address bits, >= clog2(DEPTH)
) (
    input  logic             clk,
    input  logic             we,
    input  logic [AW-1:0]    waddr,
    input  logic [WIDTH-1:0] wdata,
    input  logic [AW-1:0]    raddr,
    output logic [WIDTH-1:0] rdata
);
  logic [WIDTH-1:0] mem [DEPTH];
  always_ff @(posedge clk) begin
    if (we && 32'(waddr) < DEPTH) mem[waddr] <= wdata;
  end
  assign rdata = (32'(raddr) < DEPTH) ? mem[raddr] : '0;
endmodule
