// xbarsim command-line front end (placeholder until the run command lands).
#include <cstdio>
int main() { std::puts("xbarsim " XBARSIM_VERSION); return 0; }
