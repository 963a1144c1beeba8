# Redraw with: gnuplot time_vs_unknowns.gp (in the report directory)
set terminal svg size 820,560 dynamic background rgb 'white' font 'sans,12'
set output 'time_vs_unknowns.svg'
set logscale xy
set grid
set key top left
set format x '10^{%L}'
set xlabel 'unknowns'
set ylabel 'whole-process wall time (s)'
set title 'xbarsim and ngspice: wall time against unknowns'
plot 'data/series-a-ngspice.dat' using 1:2 with linespoints lw 2 lc 1 dt 2 pt 5 title 'ngspice .op (a)', \
     'data/series-a-xbarsim.dat' using 1:2 with linespoints lw 2 lc 1 pt 7 title 'xbarsim .op (a)', \
     'data/series-b-ngspice.dat' using 1:2 with linespoints lw 2 lc 2 dt 2 pt 5 title 'ngspice .tran (b)', \
     'data/series-b-xbarsim.dat' using 1:2 with linespoints lw 2 lc 2 pt 7 title 'xbarsim .tran (b)', \
     'data/series-c-xbarsim.dat' using 1:2 with linespoints lw 2 lc 3 pt 7 title 'xbarsim .op, large (c)', \
     'data/series-d-bsource.dat' using 1:2 with linespoints lw 2 lc 4 pt 7 title 'xbarsim .op, bsource cells (d)', \
     'data/series-d-nlem.dat' using 1:2 with linespoints lw 2 lc 5 pt 7 title 'xbarsim .op, nlem cells (d)', \
     'data/series-e-xbarsim.dat' using 1:2 with linespoints lw 2 lc 6 pt 7 title 'xbarsim .tran, 1000 steps (e)', \
     'data/series-f-library.dat' using 1:2 with linespoints lw 2 lc 7 pt 7 title 'library API, whole process (f)'
