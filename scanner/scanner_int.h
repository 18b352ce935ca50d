#ifndef SCANNER_INT_H
#define SCANNER_INT_H
/*
 * Private to scanner/ (and its unit tests, which drive SANE's `test`
 * backend through options that no operator setting reaches).
 */
#include "scanner/scanner.h"

/*
 * Set the option called name on an open device from its text form:
 * a string option takes value as is (a string list is looked up without
 * regard to case), a bool takes "true"/"false"/"yes"/"no", an int or fixed
 * option takes a number.  Only between pages.  MR_EINVAL when the device
 * has no such settable, active option or refuses the value, MR_EDEVICE
 * when SANE fails.
 */
int scan_dev_set_option(struct scan_dev *d, const char *name, const char *value,
                        struct mr_err *err);

#endif
