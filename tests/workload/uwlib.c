#include "uwlib.h"
int uw_placeholder(void) { return 0; }
