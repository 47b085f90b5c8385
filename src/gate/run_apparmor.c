/* imagegate apparmor: the networked programs of the image (networked.c), the image's AppArmor
 * policy (apparmor_policy.c), which profile attaches to each and in which mode, and the
 * project's exceptions (exceptions.c), as gate items. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apparmor_glob.h"
#include "apparmor_policy.h"
#include "exceptions.h"
#include "gates.h"
#include "host_file.h"
#include "networked.h"

static int load_exceptions(const gate_apparmor_options_t *o, gate_exceptions_t *ex, ds_error_t *err)
{
    if (o->exceptions == NULL)
        return DS_OK;
    char *text;
    size_t len;
    int rc = gate_host_file_read(o->exceptions, &text, &len, err);
    if (rc == DS_OK)
        rc = gate_exceptions_parse(ex, o->exceptions, text, len, err);
    free(text);
    for (size_t i = 0; i < ex->count && rc == DS_OK; i++) {
        gate_aa_glob_t *g = NULL;
        rc = gate_aa_glob_compile(&g, ex->items[i].glob, err);
        if (rc != DS_OK)
            rc = ds_error_set(err, rc, "%s:%u: %s", ex->file, ex->items[i].line, err->message);
        gate_aa_glob_free(g);
    }
    return rc;
}

static const gate_exception_t *exception_for(gate_exceptions_t *ex, const char *path)
{
    for (size_t i = 0; i < ex->count; i++) {
        if (gate_aa_glob_match(ex->items[i].glob, path, NULL, NULL) == 1) {
            ex->items[i].used++;
            return &ex->items[i];
        }
    }
    return NULL;
}

/* A disabled profile whose attachment would match path: why a program with a profile on disk
 * is unconfined. */
static const gate_aa_profile_t *disabled_for(const gate_aa_policy_t *policy, const char *path)
{
    for (size_t i = 0; i < policy->count; i++) {
        const gate_aa_profile_t *p = &policy->profiles[i];
        if (p->disabled && p->glob != NULL && gate_aa_glob_test(p->glob, path, NULL, NULL) == 1)
            return p;
    }
    return NULL;
}

static gate_verdict_t verdict_of(const gate_aa_attachment_t *a)
{
    if (a->profile == NULL || a->conflict) /* two equal attachments: the kernel applies neither */
        return GATE_VERDICT_UNCONFINED;
    switch (a->profile->mode) {
    case GATE_AA_ENFORCE:
    case GATE_AA_KILL:
        return GATE_VERDICT_ENFORCED;
    case GATE_AA_UNCONFINED:
        return GATE_VERDICT_UNCONFINED;
    default:
        return GATE_VERDICT_COMPLAIN; /* complain, prompt, default_allow: logged, not denied */
    }
}

static char *describe(const gate_aa_policy_t *policy, const gate_aa_attachment_t *a, const char *path)
{
    char *text = NULL;
    int n;
    if (a->conflict && a->profile != NULL && a->rival != NULL) {
        n = asprintf(&text, "no profile: %s (%s:%u) and %s (%s:%u) attach equally, so the kernel applies neither",
                     a->profile->name, a->profile->file, a->profile->line, a->rival->name, a->rival->file,
                     a->rival->line);
    } else if (a->profile != NULL) {
        const gate_aa_profile_t *p = a->profile;
        n = asprintf(&text, "profile %s (%s%s%s) in %s mode at %s:%u", p->name, a->exact ? "named " : "attachment ",
                     p->attachment ? p->attachment : p->name, p->forced_complain ? ", force-complain/" : "",
                     gate_aa_mode_name(p->mode), p->file, p->line);
    } else {
        const gate_aa_profile_t *d = disabled_for(policy, path);
        n = d ? asprintf(&text, "no profile in force: %s at %s:%u is disabled (/etc/apparmor.d/disable/)", d->name,
                         d->file, d->line)
              : asprintf(&text, "no profile attaches");
    }
    return n < 0 ? NULL : text;
}

static void judge(gate_result_t *result, const gate_aa_policy_t *policy, gate_exceptions_t *ex,
                  const gate_net_program_t *prog)
{
    gate_aa_attachment_t a = {0};
    ds_error_t err = {0};
    if (gate_aa_attach(policy, prog->path, &a, &err) < 0) {
        gate_result_problem(result, "%s: %s", prog->path, err.message);
        return;
    }
    gate_verdict_t v = verdict_of(&a);
    char *found = describe(policy, &a, prog->path);
    const gate_exception_t *e = v == GATE_VERDICT_ENFORCED ? NULL : exception_for(ex, prog->path);
    char note[GATE_EXCEPTION_LINE_MAX + 64] = "";
    if (e != NULL)
        snprintf(note, sizeof note, "%s (%s:%u)", e->reason, ex->file, e->line);
    gate_item_t item = {
        .subject = prog->path,
        .verdict = e ? GATE_VERDICT_DOCUMENTED : v,
        .check = prog->evidence,
        .found = found,
        .note = e ? note : NULL,
        .would_be = e ? (char *)gate_verdict_name(v) : NULL,
    };
    gate_result_add(result, &item);
    free(found);
}

static void add_facts(gate_result_t *result, const gate_networked_t *net, const gate_aa_policy_t *policy,
                      const gate_exceptions_t *ex)
{
    size_t disabled = 0;
    for (size_t i = 0; i < policy->count; i++)
        disabled += policy->profiles[i].disabled;
    gate_result_fact(result, "%zu AppArmor profiles under /etc/apparmor.d (%zu disabled)", policy->count, disabled);
    gate_result_fact(result, "%zu ELF programs examined (%zu statically linked, not judged), %zu libraries read; %zu networked",
                     net->programs_examined, net->static_programs, net->libraries_read, net->count);
    for (size_t i = 0; i < net->missing_count && i < 20; i++)
        gate_result_fact(result, "not in the image: %s", net->missing[i]);
    if (net->missing_count > 20)
        gate_result_fact(result, "... and %zu more needed libraries not in the image", net->missing_count - 20);
    for (size_t i = 0; i < ex->count; i++)
        if (ex->items[i].used == 0)
            gate_result_fact(result, "exception %s (%s:%u) documents no program", ex->items[i].glob, ex->file,
                             ex->items[i].line);
}

int gate_run_apparmor(gate_files_t *files, const gate_apparmor_options_t *options, gate_result_t *result,
                      ds_error_t *err)
{
    gate_exceptions_t ex = {0};
    gate_aa_policy_t policy;
    gate_aa_policy_init(&policy);
    gate_networked_t net = {0};
    int rc = load_exceptions(options, &ex, err);
    if (rc == DS_OK)
        rc = gate_aa_policy_load(&policy, files, err);
    for (size_t i = 0; i < policy.problem_count; i++) {
        if (policy.problems[i].code != DS_ERR_TIMEOUT)
            gate_result_problem(result, "%s", policy.problems[i].message);
        else if (rc == DS_OK) /* the budget ran out: every later file says so; one line, and stop */
            rc = ds_error_set(err, DS_ERR_TIMEOUT, "%s", policy.problems[i].message);
    }
    if (rc == DS_OK)
        rc = gate_networked_find(files, &net, err);
    for (size_t i = 0; i < net.problem_count; i++)
        gate_result_problem(result, "%s", net.problems[i]);
    if (rc == DS_OK) {
        for (size_t i = 0; i < net.count; i++)
            judge(result, &policy, &ex, &net.programs[i]);
        add_facts(result, &net, &policy, &ex);
    }
    gate_networked_free(&net);
    gate_aa_policy_free(&policy);
    gate_exceptions_free(&ex);
    return rc;
}
