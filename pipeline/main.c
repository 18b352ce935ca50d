/*
 * The mailroom command: parses the command line, sets up translation and
 * library message capture, and dispatches to a subcommand.  This is the
 * only place that turns an error into an exit code; modules never exit.
 */
#include "pipeline/pipeline_int.h"
#include "classifier/classifier.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* The most readers at once: each holds an OCR engine (about 100 MB). */
#define MR_MAX_JOBS 64

static void
usage(FILE *to)
{
    fputs(
        _("usage: mailroom [--archive DIR] [-v|-q] COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  import [--lang LANGS] [--later] [--max-pixels N] PATH...\n"
          "                                 archive and OCR image files or "
          "folders;\n"
          "                                 --later: archive only, for "
          "process;\n"
          "                                 --max-pixels: refuse larger "
          "pages\n"
          "                                 (default 100000000)\n"
          "  letters [--format jsonl|table] list the archived letters\n"
          "  show CODE                      a letter's details and text\n"
          "  alerts                         repeat and risk letters for "
          "leaders\n"
          "  search TEXT                    find pages containing TEXT\n"
          "  page ID --out FILE             write an archived page image\n"
          "  scan [--device NAME] [--source flatbed|adf|duplex]\n"
          "       [--resolution DPI] [--mode lineart|gray|color]\n"
          "       [--continue STACK]        scan a stack, archive and OCR it\n"
          "  process                        OCR archived pages not yet read\n"
          "  devices                        list the scanners SANE sees\n"
          "  verify                         check every page and bundle "
          "against the index\n"
          "  split CODE --at PAGE           make the pages of letter CODE "
          "from PAGE\n"
          "                                 on a letter (PAGE as numbered "
          "in the source)\n"
          "  merge CODE CODE                make two neighbouring letters "
          "one\n"
          "  confirm CODE... [--mailbox ID] [--department ID]\n"
          "       [--valid|--invalid[=REASON]] [--simple|--not-simple]\n"
          "       [--why KIND [--reason TEXT]]\n"
          "                                 settle letters' decisions as a "
          "reviewer;\n"
          "                                 an override needs --why: "
          "misread, addressee,\n"
          "                                 matter, several, validity, "
          "instruction, other\n"
          "  train                          learn the department model from "
          "the\n"
          "                                 letters reviewers confirmed\n"
          "  decide [CODE...]               judge letters no reviewer "
          "confirmed again\n"
          "  receipt CODE...                issue writers' query passwords\n"
          "  status CODE --password P       answer a writer's inquiry\n"
          "  reply CODE --file FILE         record the responsible unit's "
          "result\n"
          "  rate CODE --office N --unit N  record the writer's "
          "satisfaction (3, 2, 1)\n"
          "  bundle [--mailbox ID] [--date DAY] [--out DIR]\n"
          "                                 hand confirmed letters over: a "
          "searchable PDF\n"
          "                                 and manifest per mailbox "
          "(DIR: ARCHIVE/bundles)\n"
          "  overdue [--mailbox ID]         letters late or due soon, per "
          "mailbox\n"
          "  review [--mailbox ID]          confirm or correct, one by one "
          "on a\n"
          "                                 terminal, the letters awaiting "
          "review\n"
          "  stats --month YYYY-MM [--format table|csv|json]\n"
          "       [--mailbox ID] [--out CHART.svg]\n"
          "                                 the month's figures, and a "
          "chart\n"
          "\n"
          "import, scan and process:\n"
          "  --jobs N                       pages read at once (default: "
          "one a core)\n"
          "  --separator VALUE              the barcode of separator sheets "
          "(PATCHT)\n"
          "  --split sheets|auto            split at separator sheets only, "
          "or also\n"
          "                                 where a page opens a letter "
          "after one\n"
          "                                 that closed a letter\n"
          "import, scan, process, split, merge, confirm, review, decide,\n"
          "bundle, overdue and stats:\n"
          "  --catalog FILE                 the mailbox catalogue "
          "(catalog.ini in the\n"
          "                                 archive directory, else the one "
          "shipped)\n"
          "split, merge, confirm, review, train, receipt, reply, rate and "
          "bundle:\n"
          "  --reviewer NAME                who corrects (default: the login "
          "name)\n"
          "  --reason TEXT                  why, kept in the letter's "
          "history\n"
          "letters, show, alerts, search, page and bundle:\n"
          "  --unmasked                     show citizens' ID numbers and "
          "phones, which\n"
          "                                 are masked otherwise: only for "
          "the login\n"
          "                                 names privacy.ini in the archive "
          "directory\n"
          "                                 lists; each use is audited\n"
          "\n"
          "The archive is DIR, else $MAILROOM_ARCHIVE, else "
          "./mailroom-data.\n"),
        to);
}

int
mr_exit_code(int code)
{
    switch (code) {
    case MR_OK:
        return MR_EXIT_OK;
    case MR_ENOTFOUND:
        return MR_EXIT_NOINPUT;
    case MR_EINVAL:
    case MR_EFORMAT:
        return MR_EXIT_DATAERR;
    case MR_EIO:
    case MR_EDB:
        return MR_EXIT_IOERR;
    case MR_EINTR:
        return MR_EXIT_INTERRUPTED;
    case MR_EBUSY:
    case MR_EJAM:
    case MR_ENODOCS:
    case MR_EDEVICE:
        return MR_EXIT_TEMPFAIL;
    default:
        return MR_EXIT_SOFTWARE;
    }
}

static void
on_signal(int sig)
{
    (void)sig;
    mr_interrupted = 1;
}

static void
setup(void)
{
    struct sigaction sa;
    const char *dir = getenv("MAILROOM_LOCALEDIR");

    /*
     * A page is a few buffers of 9 MB, made and freed for every page.
     * Kept in the heap rather than mapped and unmapped each time, they
     * cost no page faults: intake alone took 2.8 s for 60 pages, 0.8 s
     * of it in the kernel, and now takes 2.3 s (0.2 s).  The peak stays
     * what the pages in hand need.
     */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    /*
     * Everything mailroom writes holds citizens' letters or what was
     * read of them: the archive, bundles, exports.  Readable by their
     * owner only, whatever the libraries (Tesseract's PDF, qpdf) ask.
     */
    umask(077);
    setlocale(LC_ALL, "");
    /* Tesseract and SQLite read numbers the C way. */
    setlocale(LC_NUMERIC, "C");
    bindtextdomain("mailroom", dir && *dir ? dir : MR_LOCALEDIR);
    bind_textdomain_codeset("mailroom", "UTF-8");
    textdomain("mailroom");
    mr_library_messages_init();

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    /* A second Ctrl-C stops at once, as the operator then expects. */
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

enum {
    OPT_ARCHIVE = 256,
    OPT_LANG,
    OPT_FORMAT,
    OPT_OUT,
    OPT_HELP,
    OPT_DEVICE,
    OPT_SOURCE,
    OPT_RESOLUTION,
    OPT_MODE,
    OPT_CONTINUE,
    OPT_SEPARATOR,
    OPT_SPLIT,
    OPT_AT,
    OPT_REVIEWER,
    OPT_REASON,
    OPT_CATALOG,
    OPT_MAILBOX,
    OPT_DEPARTMENT,
    OPT_VALID,
    OPT_INVALID,
    OPT_PASSWORD,
    OPT_FILE,
    OPT_OFFICE,
    OPT_UNIT,
    OPT_WHY,
    OPT_SIMPLE,
    OPT_NOT_SIMPLE,
    OPT_DATE,
    OPT_MONTH,
    OPT_JOBS,
    OPT_LATER,
    OPT_MAX_PIXELS,
    OPT_UNMASKED
};

static const struct option options[] = {
    {"archive", required_argument, NULL, OPT_ARCHIVE},
    {"lang", required_argument, NULL, OPT_LANG},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"help", no_argument, NULL, OPT_HELP},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"resolution", required_argument, NULL, OPT_RESOLUTION},
    {"mode", required_argument, NULL, OPT_MODE},
    {"continue", required_argument, NULL, OPT_CONTINUE},
    {"separator", required_argument, NULL, OPT_SEPARATOR},
    {"split", required_argument, NULL, OPT_SPLIT},
    {"at", required_argument, NULL, OPT_AT},
    {"reviewer", required_argument, NULL, OPT_REVIEWER},
    {"reason", required_argument, NULL, OPT_REASON},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"mailbox", required_argument, NULL, OPT_MAILBOX},
    {"department", required_argument, NULL, OPT_DEPARTMENT},
    {"valid", no_argument, NULL, OPT_VALID},
    {"invalid", optional_argument, NULL, OPT_INVALID},
    {"password", required_argument, NULL, OPT_PASSWORD},
    {"file", required_argument, NULL, OPT_FILE},
    {"office", required_argument, NULL, OPT_OFFICE},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"why", required_argument, NULL, OPT_WHY},
    {"simple", no_argument, NULL, OPT_SIMPLE},
    {"not-simple", no_argument, NULL, OPT_NOT_SIMPLE},
    {"date", required_argument, NULL, OPT_DATE},
    {"month", required_argument, NULL, OPT_MONTH},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"later", no_argument, NULL, OPT_LATER},
    {"max-pixels", required_argument, NULL, OPT_MAX_PIXELS},
    {"unmasked", no_argument, NULL, OPT_UNMASKED},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {NULL, 0, NULL, 0},
};

/* Index of word in the NULL-terminated list, or -1. */
static int
word_index(const char *word, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(word, list[i]))
            return i;
    return -1;
}

/* Whether s has the form of pattern: a digit for each 0, else the same. */
static int
digits_like(const char *s, const char *pattern)
{
    for (; *pattern; s++, pattern++)
        if (*pattern == '0' ? *s < '0' || *s > '9' : *s != *pattern)
            return 0;
    return !*s;
}

/* A positive number for an option, or -1 after saying what is wrong. */
static long long
positive(const char *opt, const char *arg)
{
    char *end = NULL;
    long long v;

    errno = 0;
    v = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || v <= 0 || v > INT32_MAX) {
        mr_log(MR_LOG_ERROR, _("%s wants a positive number, not '%s'"), opt,
               arg);
        return -1;
    }
    return v;
}

/*
 * The scanning options and --at; MR_EXIT_USAGE after a message for a bad
 * value.
 */
static int
scan_option(int c, struct mr_cli *cli)
{
    static const char *const sources[] = {"flatbed", "adf", "duplex", NULL};
    static const char *const modes[] = {"lineart", "gray", "color", NULL};
    long long v;
    int i;

    switch (c) {
    case OPT_DEVICE:
        cli->scan.device = optarg;
        return 0;
    case OPT_SOURCE:
        i = word_index(optarg, sources);
        if (i < 0)
            break;
        cli->scan.source = (enum scan_source)(SCAN_SOURCE_FLATBED + i);
        return 0;
    case OPT_MODE:
        i = word_index(optarg, modes);
        if (i < 0)
            break;
        cli->scan.mode = (enum scan_mode)(SCAN_MODE_LINEART + i);
        return 0;
    case OPT_RESOLUTION:
        v = positive("--resolution", optarg);
        if (v < 0)
            return MR_EXIT_USAGE;
        cli->scan.resolution = (int)v;
        return 0;
    case OPT_AT:
        v = positive("--at", optarg);
        if (v < 0)
            return MR_EXIT_USAGE;
        cli->at = (int)v;
        return 0;
    default: /* OPT_CONTINUE */
        v = positive("--continue", optarg);
        if (v < 0)
            return MR_EXIT_USAGE;
        cli->stack = v;
        return 0;
    }
    mr_log(MR_LOG_ERROR, _("unknown value '%s' for --%s"), optarg,
           c == OPT_SOURCE ? "source" : "mode");
    return MR_EXIT_USAGE;
}

/*
 * Parse options: with optstring "+..." up to the first operand (the
 * command name), without it anywhere among the operands, which getopt
 * moves to the end.  Returns 0, MR_EXIT_USAGE after getopt's message, or
 * -1 after --help was answered.
 */
static int
parse_options(int argc, char **argv, const char *optstring, struct mr_cli *cli)
{
    int c;

    while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
        switch (c) {
        case OPT_ARCHIVE:
            cli->archive = optarg;
            break;
        case OPT_LANG:
            cli->langs = optarg;
            break;
        case OPT_FORMAT:
            cli->format = optarg;
            break;
        case OPT_OUT:
            cli->out = optarg;
            break;
        case OPT_SEPARATOR:
            if (!*optarg || strchr(optarg, '\n')) {
                mr_log(MR_LOG_ERROR, _("--separator wants a barcode value"));
                return MR_EXIT_USAGE;
            }
            cli->separator = optarg;
            break;
        case OPT_AT:
            if (scan_option(c, cli))
                return MR_EXIT_USAGE;
            break;
        case OPT_REVIEWER:
            if (!*optarg) {
                mr_log(MR_LOG_ERROR, _("--reviewer wants a name"));
                return MR_EXIT_USAGE;
            }
            cli->reviewer = optarg;
            break;
        case OPT_REASON:
            cli->reason = optarg;
            break;
        case OPT_CATALOG:
            cli->catalog = optarg;
            break;
        case OPT_MAILBOX:
            cli->mailbox = optarg;
            break;
        case OPT_DEPARTMENT:
            cli->department = optarg;
            break;
        case OPT_VALID:
        case OPT_INVALID:
            if (cli->valid >= 0 && cli->valid != (c == OPT_VALID)) {
                mr_log(MR_LOG_ERROR, _("give --valid or --invalid, not both"));
                return MR_EXIT_USAGE;
            }
            cli->valid = c == OPT_VALID;
            if (c == OPT_INVALID && optarg)
                cli->invalid_reason = optarg;
            break;
        case OPT_PASSWORD:
            cli->password = optarg;
            break;
        case OPT_FILE:
            cli->file = optarg;
            break;
        case OPT_OFFICE:
        case OPT_UNIT:
            if ((*(c == OPT_OFFICE ? &cli->office : &cli->unit) = positive(
                     c == OPT_OFFICE ? "--office" : "--unit", optarg)) < 0)
                return MR_EXIT_USAGE;
            break;
        case OPT_JOBS:
            if ((cli->jobs = (int)positive("--jobs", optarg)) < 0)
                return MR_EXIT_USAGE;
            if (cli->jobs > MR_MAX_JOBS) {
                mr_log(MR_LOG_ERROR, _("--jobs: at most %d"), MR_MAX_JOBS);
                return MR_EXIT_USAGE;
            }
            break;
        case OPT_LATER:
            cli->later = 1;
            break;
        case OPT_MAX_PIXELS:
            if ((cli->max_pixels = positive("--max-pixels", optarg)) < 0)
                return MR_EXIT_USAGE;
            break;
        case OPT_UNMASKED:
            cli->unmasked = 1;
            break;
        case OPT_WHY:
            if (!mr_why_text(optarg)) {
                mr_log(MR_LOG_ERROR, _("unknown --why '%s' (use %s)"), optarg,
                       mr_why_list());
                return MR_EXIT_USAGE;
            }
            cli->why = optarg;
            break;
        case OPT_SIMPLE:
        case OPT_NOT_SIMPLE:
            cli->simple = c == OPT_SIMPLE;
            break;
        case OPT_DATE:
            if (!digits_like(optarg, "0000-00-00") ||
                mr_time_of(optarg) == (time_t)-1) {
                mr_log(MR_LOG_ERROR,
                       _("--date wants a day such as "
                         "2026-05-01, not '%s'"),
                       optarg);
                return MR_EXIT_USAGE;
            }
            cli->date = optarg;
            break;
        case OPT_MONTH: {
            char day[16];

            snprintf(day, sizeof(day), "%.7s-01", optarg);
            if (!digits_like(optarg, "0000-00") ||
                mr_time_of(day) == (time_t)-1) {
                mr_log(MR_LOG_ERROR,
                       _("--month wants a month such as "
                         "2026-05, not '%s'"),
                       optarg);
                return MR_EXIT_USAGE;
            }
            cli->month = optarg;
            break;
        }
        case OPT_SPLIT:
            if (strcmp(optarg, "auto") && strcmp(optarg, "sheets")) {
                mr_log(MR_LOG_ERROR,
                       _("unknown --split '%s' (use sheets or auto)"), optarg);
                return MR_EXIT_USAGE;
            }
            cli->split_by_text = !strcmp(optarg, "auto");
            break;
        case 'v':
            if (mr_log_level < MR_LOG_DEBUG)
                mr_log_level++;
            break;
        case 'q':
            mr_log_level = MR_LOG_ERROR;
            break;
        case OPT_HELP:
            usage(stdout);
            return -1;
        case OPT_DEVICE:
        case OPT_SOURCE:
        case OPT_RESOLUTION:
        case OPT_MODE:
        case OPT_CONTINUE:
            if (scan_option(c, cli))
                return MR_EXIT_USAGE;
            break;
        default:
            return MR_EXIT_USAGE;
        }
    }
    return 0;
}

/* Check the operand count of a command; says what is wrong. */
static int
want_operands(const char *cmd, int have, int min, int max)
{
    if (have >= min && (max < 0 || have <= max))
        return 0;
    if (max < 0)
        mr_log(MR_LOG_ERROR, _("'%s' needs one or more paths"), cmd);
    else if (max == 0)
        mr_log(MR_LOG_ERROR, _("'%s' takes no arguments"), cmd);
    else
        mr_log(MR_LOG_ERROR, _("'%s' takes one argument"), cmd);
    return MR_EXIT_USAGE;
}

/* Run command cmd with its operands. */
static int
dispatch(const char *cmd, struct mr_cli *cli, char **args, int nargs)
{
    static const char *const unmaskable[] = {
        "letters", "show", "alerts", "search", "page", "bundle", NULL};
    int rc;

    if (cli->unmasked && word_index(cmd, unmaskable) < 0) {
        mr_log(MR_LOG_ERROR, _("--unmasked is for letters, show, alerts, "
                               "search, page and bundle"));
        return MR_EXIT_USAGE;
    }
    if (!strcmp(cmd, "import")) {
        rc = want_operands(cmd, nargs, 1, -1);
        return rc ? rc : mr_cmd_import(cli, args, nargs);
    }
    if (!strcmp(cmd, "letters")) {
        if (!cli->format)
            cli->format = "jsonl";
        if (strcmp(cli->format, "jsonl") && strcmp(cli->format, "table")) {
            mr_log(MR_LOG_ERROR, _("unknown format '%s' (use jsonl or table)"),
                   cli->format);
            return MR_EXIT_USAGE;
        }
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_letters(cli);
    }
    if (!strcmp(cmd, "show")) {
        rc = want_operands(cmd, nargs, 1, 1);
        return rc ? rc : mr_cmd_show(cli, args[0]);
    }
    if (!strcmp(cmd, "alerts")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_alerts(cli);
    }
    if (!strcmp(cmd, "search")) {
        rc = want_operands(cmd, nargs, 1, 1);
        return rc ? rc : mr_cmd_search(cli, args[0]);
    }
    if (!strcmp(cmd, "page")) {
        if (!cli->out) {
            mr_log(MR_LOG_ERROR, _("'page' needs --out FILE"));
            return MR_EXIT_USAGE;
        }
        rc = want_operands(cmd, nargs, 1, 1);
        return rc ? rc : mr_cmd_page(cli, args[0]);
    }
    if (!strcmp(cmd, "scan")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_scan(cli);
    }
    if (!strcmp(cmd, "process")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_process(cli);
    }
    if (!strcmp(cmd, "split")) {
        if (!cli->at) {
            mr_log(MR_LOG_ERROR, _("'split' needs --at PAGE"));
            return MR_EXIT_USAGE;
        }
        rc = want_operands(cmd, nargs, 1, 1);
        return rc ? rc : mr_cmd_split(cli, args[0]);
    }
    if (!strcmp(cmd, "merge")) {
        if (nargs != 2) {
            mr_log(MR_LOG_ERROR, _("'merge' takes two tracking codes"));
            return MR_EXIT_USAGE;
        }
        return mr_cmd_merge(cli, args[0], args[1]);
    }
    if (!strcmp(cmd, "confirm")) {
        if (nargs < 1) {
            mr_log(MR_LOG_ERROR, _("'confirm' needs one or more tracking "
                                   "codes"));
            return MR_EXIT_USAGE;
        }
        return mr_cmd_confirm(cli, args, nargs);
    }
    if (!strcmp(cmd, "decide"))
        return mr_cmd_decide(cli, args, nargs);
    if (!strcmp(cmd, "receipt")) {
        if (nargs < 1) {
            mr_log(MR_LOG_ERROR, _("'receipt' needs one or more tracking "
                                   "codes"));
            return MR_EXIT_USAGE;
        }
        return mr_cmd_receipt(cli, args, nargs);
    }
    if (!strcmp(cmd, "status")) {
        rc = want_operands(cmd, nargs, 1, 1);
        return rc ? rc : mr_cmd_status(cli, args[0]);
    }
    if (!strcmp(cmd, "reply")) {
        rc = want_operands(cmd, nargs, 1, 1);
        return rc ? rc : mr_cmd_reply(cli, args[0]);
    }
    if (!strcmp(cmd, "rate")) {
        rc = want_operands(cmd, nargs, 1, 1);
        return rc ? rc : mr_cmd_rate(cli, args[0]);
    }
    if (!strcmp(cmd, "bundle")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_bundle(cli);
    }
    if (!strcmp(cmd, "verify")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_verify(cli);
    }
    if (!strcmp(cmd, "overdue")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_overdue(cli);
    }
    if (!strcmp(cmd, "review")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_review(cli);
    }
    if (!strcmp(cmd, "stats")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_stats(cli);
    }
    if (!strcmp(cmd, "train")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_train(cli);
    }
    if (!strcmp(cmd, "devices")) {
        rc = want_operands(cmd, nargs, 0, 0);
        return rc ? rc : mr_cmd_devices(cli);
    }
    if (!strcmp(cmd, "help")) {
        usage(stdout);
        return MR_EXIT_OK;
    }
    mr_log(MR_LOG_ERROR, _("unknown command '%s'"), cmd);
    usage(stderr);
    return MR_EXIT_USAGE;
}

/*
 * Tesseract's OpenMP threads cost far more than they give on one page at
 * a time (a page took four times as long with them on 2 cores).  The
 * OpenMP runtime reads OMP_THREAD_LIMIT when it is loaded, before main,
 * so set it and start again once; if that fails, go on as we are.
 */
static void
limit_ocr_threads(char **argv)
{
    if (getenv("OMP_THREAD_LIMIT"))
        return;
    if (setenv("OMP_THREAD_LIMIT", "1", 1) == 0)
        execv("/proc/self/exe", argv);
}

int
main(int argc, char **argv)
{
    struct mr_cli cli = {0};
    const char *env;
    char **args;
    int rc, nargs;

    limit_ocr_threads(argv);
    setup();
    cli.valid = -1;
    cli.simple = -1;
    cli.separator = CLS_SEPARATOR_DEFAULT;
    rc = parse_options(argc, argv, "+vq", &cli);
    if (rc)
        return rc < 0 ? MR_EXIT_OK : rc;
    if (optind >= argc) {
        usage(stderr);
        return MR_EXIT_USAGE;
    }
    /* The command's options may stand anywhere after its name. */
    args = argv + optind;
    nargs = argc - optind;
    optind = 0; /* 0, not 1: glibc then re-reads the optstring */
    rc = parse_options(nargs, args, "vq", &cli);
    if (rc)
        return rc < 0 ? MR_EXIT_OK : rc;

    if (!cli.archive) {
        env = getenv("MAILROOM_ARCHIVE");
        cli.archive = env && *env ? env : "mailroom-data";
    }
    if (mr_now() == (time_t)-1) {
        mr_log(MR_LOG_ERROR,
               _("MAILROOM_NOW is not a time: '%s' (use "
                 "2026-05-01T09:00:00Z or 2026-05-01)"),
               getenv("MAILROOM_NOW"));
        return MR_EXIT_USAGE;
    }
    cli.progress = isatty(STDERR_FILENO) && mr_log_level >= MR_LOG_WARN;
    if (!cli.jobs) {
        /* One reader a core: each page is read on one (see above). */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);

        cli.jobs = cores < 1             ? 1
                   : cores > MR_MAX_JOBS ? MR_MAX_JOBS
                                         : (int)cores;
    }
    return dispatch(args[0], &cli, args + optind, nargs - optind);
}
