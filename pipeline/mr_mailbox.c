/*
 * Mailboxes as the commands name, order and accept them: "mayor
 * (市长信箱)" for a catalogue id, the catalogue's order for reports, and
 * the check of --mailbox.
 */
#include "pipeline/pipeline_int.h"

#include "classifier/classifier.h"

const char *
mr_box_label(const struct cls_catalog *c, const char *id, char *buf,
             size_t size)
{
    const struct cls_mailbox *box = c && id ? cls_catalog_find(c, id) : NULL;

    if (!id)
        return "-";
    if (!box)
        return id;
    snprintf(buf, size, "%s (%s)", id, box->name_zh);
    return buf;
}

size_t
mr_box_rank(const struct cls_catalog *c, const char *id)
{
    size_t n = cls_catalog_size(c);

    for (size_t i = 0; id && i < n; i++)
        if (!strcmp(cls_catalog_mailbox(c, i)->id, id))
            return i;
    return id && !strcmp(id, "other") ? n : n + 1;
}

int
mr_mailbox_check(const struct cls_catalog *c, const char *id, int invalid)
{
    if (!id || cls_catalog_find(c, id) || !strcmp(id, "other") ||
        (invalid && !strcmp(id, "invalid")))
        return MR_EXIT_OK;
    mr_log(MR_LOG_ERROR, _("no mailbox '%s' in the catalogue"), id);
    return MR_EXIT_USAGE;
}
