# ecp5_yosys.sh - sourced by the ECP5 scripts whose design holds LiteDRAM's core
# (bitstream.sh, synth_dram.sh): the Yosys commands from the elaborated RTL to the JSON.
#
# Why not plain `synth_ecp5 -json`: ABC maps each module as one problem, and after mapping
# for delay it recovers area on every cone up to the deepest cone of that problem. With
# the design flattened into one module, LiteDRAM's generated controller (dram_sys, cones
# of 11-12 LUT levels) set that bound for the pipeline too, and pipe_clk cones that map in
# 5-7 levels came back as chains of 8-9 (the board netlist at a13cec6: pipe_clk
# max_levels 9; with the core mapped on its own, the same RTL gives 7). So the core is
# kept as its own module through synthesis (keep_hierarchy) and the result flattened
# before the JSON is written (depth.py and pnr_report.py read one flat module).
#
# usage: ecp5_yosys_map TOP JSON   (prints the commands, for yosys -p)
ecp5_yosys_map() {
	echo "hierarchy -top $1
	setattr -mod -set keep_hierarchy 1 litedram_core
	synth_ecp5 -top $1
	flatten
	write_json $2"
}
