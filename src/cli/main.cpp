// The reverie command: render, presets, nodes, bench.
#include <cstdio>

int main() { return 0; }
