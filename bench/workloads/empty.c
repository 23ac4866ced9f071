/* empty -- startup cost only: the baseline subtracted from every timing of the same engine. */
int main(void) { return 0; }
