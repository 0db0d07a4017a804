module counter(input clk, input rst, output reg [15:0] q);
  always @(posedge clk) begin
    if (rst) q <= 16'd0;
    else q <= q + 1;
  end
endmodule
