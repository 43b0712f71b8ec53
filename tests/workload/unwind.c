#include "uwlib.h"
int main(void) { return uw_placeholder(); }
