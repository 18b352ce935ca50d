/*
 * The pool of readers: worker threads that clean and OCR pages, each with
 * its own Tesseract engine, started once.  The pool never touches the
 * archive: the thread that owns it hands pages in (mr_pool_put) and takes
 * results out (mr_pool_take), and does every archive write itself.
 *
 *   mr_pool_put --> queued --> a worker: ocr_page --> done --> mr_pool_take
 *                   (FIFO)     (the pixels freed here) (FIFO)
 *
 * Invariants: at most `capacity` jobs are in the pool at once, queued,
 * being read or done and not taken, so the pages it holds in memory are
 * bounded whatever the stack; a job's results are only touched by the
 * worker until it is done, then only by the owner.
 */
#include "pipeline/pipeline_int.h"

#include "classifier/classifier.h"
#include "ocr/ocr.h"

#include <leptonica/allheaders.h>
#include <pthread.h>

struct worker {
    struct mr_pool *pool;
    pthread_t thread;
    struct ocr_engine *ocr;
    int started; /* the thread runs */
};

struct mr_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job queued, or stopping */
    pthread_cond_t done; /* a job done, or a worker ready */
    struct mr_job *queue, *queue_tail;
    struct mr_job *finished, *finished_tail;
    int jobs;     /* jobs in the pool: queued, being read, done */
    int capacity; /* the most jobs at once */
    int ready;    /* workers whose engine started (or failed to) */
    int stopping;
    struct mr_err start_err; /* the first engine that failed to start */
    const char *langs, *separator;
    struct worker *workers;
    int nworkers;
};

static void
append(struct mr_job **head, struct mr_job **tail, struct mr_job *job)
{
    job->next = NULL;
    if (*tail)
        (*tail)->next = job;
    else
        *head = job;
    *tail = job;
}

static struct mr_job *
pop(struct mr_job **head, struct mr_job **tail)
{
    struct mr_job *job = *head;

    if (job) {
        *head = job->next;
        if (!*head)
            *tail = NULL;
        job->next = NULL;
    }
    return job;
}

static void *
work(void *arg)
{
    struct worker *w = arg;
    struct mr_pool *p = w->pool;
    struct mr_err err = MR_ERR_INIT;
    struct mr_job *job;

    w->ocr = ocr_engine_new(NULL, p->langs, &err);
    pthread_mutex_lock(&p->lock);
    if (!w->ocr && !p->start_err.code)
        p->start_err = err;
    p->ready++;
    pthread_cond_broadcast(&p->done);
    for (;;) {
        while (!p->stopping && !p->queue)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->stopping || !w->ocr)
            break;
        job = pop(&p->queue, &p->queue_tail);
        pthread_mutex_unlock(&p->lock);
        job->rc = job->survey
                      ? ocr_page_survey(job->pix, &job->page, &job->err)
                      : ocr_page(w->ocr, job->pix, &job->page, &job->err);
        /* A page the recogniser gave up on (MR_EOCR) is kept without text. */
        if (!job->rc || job->rc == MR_EOCR)
            job->page.flags |= cls_page_role(&job->page, p->separator);
        pixDestroy(&job->pix);
        pthread_mutex_lock(&p->lock);
        append(&p->finished, &p->finished_tail, job);
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct mr_pool *
mr_pool_new(const char *langs, const char *separator, int nworkers,
            int capacity, struct mr_err *err)
{
    struct mr_pool *p = calloc(1, sizeof(*p));
    int started = 0;

    if (!p || !(p->workers = calloc((size_t)nworkers, sizeof(*p->workers)))) {
        free(p);
        mr_fail(err, MR_ENOMEM, _("out of memory"));
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->langs = langs;
    p->separator = separator;
    p->capacity = capacity;
    p->nworkers = nworkers;
    mr_err_clear(&p->start_err);
    for (int i = 0; i < nworkers; i++) {
        p->workers[i].pool = p;
        if (pthread_create(&p->workers[i].thread, NULL, work, &p->workers[i]))
            break;
        p->workers[i].started = 1;
        started++;
    }
    /* Every engine loads its languages at once, each on its own core. */
    pthread_mutex_lock(&p->lock);
    while (p->ready < started)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
    if (started == 0)
        mr_fail(err, MR_ENOMEM, _("cannot start a reader thread"));
    else if (p->start_err.code)
        *err = p->start_err;
    if (started == 0 || p->start_err.code) {
        mr_pool_destroy(&p);
        return NULL;
    }
    return p;
}

int
mr_pool_room(struct mr_pool *p)
{
    int room;

    pthread_mutex_lock(&p->lock);
    room = p->capacity - p->jobs;
    pthread_mutex_unlock(&p->lock);
    return room;
}

int
mr_pool_jobs(struct mr_pool *p)
{
    int n;

    pthread_mutex_lock(&p->lock);
    n = p->jobs;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void
mr_pool_put(struct mr_pool *p, struct mr_job *job)
{
    mr_page_init(&job->page);
    job->page.seq = job->seq;
    mr_err_clear(&job->err);
    job->rc = 0;
    pthread_mutex_lock(&p->lock);
    append(&p->queue, &p->queue_tail, job);
    p->jobs++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
}

struct mr_job *
mr_pool_take(struct mr_pool *p, int wait)
{
    struct mr_job *job;

    pthread_mutex_lock(&p->lock);
    while (wait && !p->finished && p->jobs > 0 && !mr_interrupted)
        pthread_cond_wait(&p->done, &p->lock);
    job = pop(&p->finished, &p->finished_tail);
    if (job)
        p->jobs--;
    pthread_mutex_unlock(&p->lock);
    return job;
}

void
mr_pool_wake(struct mr_pool *p)
{
    pthread_mutex_lock(&p->lock);
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->lock);
}

void
mr_job_free(struct mr_job *job)
{
    if (!job)
        return;
    pixDestroy(&job->pix);
    mr_page_release(&job->page);
    free(job);
}

void
mr_pool_destroy(struct mr_pool **pp)
{
    struct mr_pool *p = pp ? *pp : NULL;
    struct mr_job *job;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    /* A worker finishes the page it is reading: its job is then freed. */
    for (int i = 0; i < p->nworkers; i++)
        if (p->workers[i].started)
            pthread_join(p->workers[i].thread, NULL);
    for (int i = 0; i < p->nworkers; i++)
        ocr_engine_destroy(&p->workers[i].ocr);
    while ((job = pop(&p->queue, &p->queue_tail)))
        mr_job_free(job);
    while ((job = pop(&p->finished, &p->finished_tail)))
        mr_job_free(job);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->workers);
    free(p);
    *pp = NULL;
}
