/*
 * `mailroom devices`: the scanners SANE can see, one per line on stdout
 * (name, vendor, model, type, sources), so the operator knows what to
 * pass to `scan --device` and `--source`.
 */
#include "pipeline/pipeline_int.h"

#include "scanner/scanner.h"

int
mr_cmd_devices(const struct mr_cli *cli)
{
    struct mr_err err = MR_ERR_INIT;
    struct scan_device_info *info = NULL;
    size_t n = 0;
    int rc;

    (void)cli;
    rc = scan_devices_list(&info, &n, &err);
    if (rc) {
        mr_log(MR_LOG_ERROR, "%s", err.msg);
        return mr_exit_code(rc);
    }
    if (n == 0)
        mr_log(MR_LOG_WARN, _("no scanner found (is it switched on and "
                              "connected? see `scanimage -L`)"));
    for (size_t i = 0; i < n; i++) {
        printf("%s\t%s\t%s\t%s\t", info[i].name, info[i].vendor, info[i].model,
               info[i].type);
        for (size_t j = 0; j < info[i].nsources; j++)
            printf("%s%s", j ? ", " : "", info[i].sources[j]);
        putchar('\n');
    }
    scan_device_info_free(info, n);
    return n ? MR_EXIT_OK : MR_EXIT_NOINPUT;
}
