"""Every key prefix and key builder of the single table, and its access patterns.

Physical layout: one table, ``PK``/``SK`` strings, three overloaded GSIs
(``GSI1PK/GSI1SK``, ``GSI2PK/GSI2SK``, ``GSI3PK/GSI3SK``, projection ALL), TTL attribute ``ttl``,
stream with new and old images. Every item carries ``tp`` (its entity type).
Nothing outside ``table/`` builds a key.

Items::

    entity          PK                          SK                  GSI1PK / GSI1SK                      GSI2PK / GSI2SK
    problem         PROB#{platform}#{ident}     META                PROBS / {created}#{platform}#{ident} PLAT#{platform} / {created}#{ident}
    problem tag     PROB#{platform}#{ident}     TAG#{tag}           TAG#{tag} / {created}#{platform}#{ident}
    legacy id       PROBID#{legacy_id}          META
    test case       PROB#{platform}#{ident}     TC#{kind}{digest}
    test case chunk PROB#{platform}#{ident}     TC#{kind}{digest}#{I|O}{n:04}
    migration       MIGRATION                   STEP#{number:04}
    submission      HIST#{submission_id}        META                USERHIST#{user} / {created}#{sid}    PUBHIST / {created}#{sid} (public only)
                    GSI3: PROBHIST#{p}#{i}#PUB / {created}#{sid} when public, else PROBHIST#{p}#{i}#OWN#{user} / {created}#{sid}
    test result     HIST#{submission_id}        RES#{index:05}
    usage counter   USAGE#{subject}             {action}#{yyyy-mm-dd}     (ttl: two days after the day ends)
    (dead)          USER#{user_id}              STATS                     (old user statistics: written by earlier versions, read by nothing)
    submission hints  (attributes ``hnt``/``hns``/``htk``/``hat``/``hpv`` of the submission's META item)
    generation job  GENJOB#{job_id}             META                GENJOBS#{platform}#{ident} / {created}#{job_id}
    problem hints   PHINT#{platform}#{ident}    META
    stress setup    PSTRESS#{platform}#{ident}  META                      (admin-only; outside the problem's partition)
    counterexample  (attributes ``cxs``/``cxt``/``cxe`` of the submission's META item)
    running search  CXRUN                       {started}#{sid}           (while ``cxs`` is searching; found by the search recovery)
    user            USER#{user_id}              PROFILE             USERS / {email}
    email pointer   EMAIL#{email}               META
    google pointer  GOOGLE#{google_sub}         META
    plan            PLAN#{name}                 META                PLANS / {name}
    token family    TOKFAM#{family_id}          META                      (ttl: the refresh token's expiry)
    daily stats     STATS#{yyyy-mm-dd}#{shard}  DAY                       (counters: ADD as events happen; 8 shards)
    import checkpoint IMPORT#{entity}           CHECKPOINT                (legacy importer: ids done per entity)
    shard state     INDEXER                     SHARD#{shard_id}          (stream indexer: lease, checkpoint, lag)
    counted marker  COUNTED#{submission_id}     META                      (statistics: this submission was counted)
    user × problem  USERPROB#{uid}#{p}#{i}      META                      (statistics: tried, ``sol`` once solved)
    user counts     USER#{user_id}              COUNTS                    (statistics, from the stream)
    problem stats   PSTATS#{platform}#{ident}   META
    totals          PSTATS                      TOTALS                    (statistics over every submission)

A problem's submissions live in GSI3 in two partitions per problem: the public ones, and
each owner's private ones; "mine plus every public one" is one Query of each, merged by
sort key (each submission is in exactly one of them, so the merge has no duplicates).

``{created}`` is the creation time in epoch milliseconds, zero-padded to 13
digits, so lists sort newest-first with ``ScanIndexForward=False``.
Deleted problems lose their GSI attributes (sparse indexes), so lists never
see them; restoring puts them back. A problem's META also holds ``nxp``, the next
free test-case position: bulk adds take a range with one atomic ``ADD``, and each
test-case head is put (if absent) in the transaction that ``ADD``s ``tcc``, so the
count stays exact under concurrent adds. A problem's partition sorts ``META`` < ``TAG#…`` < ``TC#…``: one
Query of the partition reads the problem with all its test cases.

Access patterns (one row per pattern the code uses; ``tests/table`` holds one
test per pattern, named after it, and a test fails if a repository method is
missing here)::

    pattern                                  index  key condition                                   repository method
    get problem                              table  PK=PROB#{p}#{i}, SK=META                        ProblemRepository.get
    get problem by legacy id                 table  PK=PROBID#{id}, SK=META, then get problem       ProblemRepository.get_by_legacy_id
    resolve legacy id                        table  PK=PROBID#{id}, SK=META                         ProblemRepository.resolve_legacy_id
    create problem                           table  TransactWrite META+TAG#+PROBID#, not exists     ProblemRepository.create
    update problem                           table  TransactWrite META, TAG# and PROBID# items      ProblemRepository.update
    soft-delete problem                      table  Update META, remove GSI keys, drop TAG# items   ProblemRepository.delete
    restore soft-deleted problem             table  Update META, GSI keys back, put TAG# items      ProblemRepository.restore
    list problems                            GSI1   GSI1PK=PROBS, newest first                      ProblemRepository.list_problems
    list problems by platform                GSI2   GSI2PK=PLAT#{p}, newest first                   ProblemRepository.list_problems
    list problems by tag                     GSI1   GSI1PK=TAG#{t}, then BatchGet META             ProblemRepository.list_problems
    get problem with all test cases          table  PK=PROB#{p}#{i} (whole partition)               ProblemRepository.get_with_test_cases
    get problem for judging                  table  PK=PROB#{p}#{i} (whole partition), kept packed  ProblemRepository.get_for_judging
    scan problems for reindex                table  Scan, filter tp=prob AND SK=META (offline only) ProblemRepository.scan_for_reindex
    add test cases in bulk                   table  Query TC# ids, ADD nxp, chunks, heads+ADD tcc    TestCaseRepository.add_many
    list test cases                          table  PK=PROB#{p}#{i}, SK begins_with TC#             TestCaseRepository.list_test_cases
    list samples                             table  PK=PROB#{p}#{i}, SK begins_with TC#s            TestCaseRepository.list_samples
    get test case                            table  PK=PROB#{p}#{i}, SK begins_with TC#{id}         TestCaseRepository.get
    delete test case                         table  TransactWrite head+ADD tcc -1, chunks deleted   TestCaseRepository.delete
    replace all test cases                   table  delete every TC# item, then add_many            TestCaseRepository.replace_all
    record applied migration                 table  PK=MIGRATION, SK=STEP#{n}                       MigrationLog.record
    create submission                        table  Put HIST#{sid}/META, not exists                 SubmissionRepository.create
    get submission                           table  PK=HIST#{sid}, SK=META                          SubmissionRepository.get
    discard unqueued submission              table  Delete HIST#{sid}/META if status = queued       SubmissionRepository.discard
    get submission with results              table  PK=HIST#{sid} (whole partition)                 SubmissionRepository.get_with_results
    get test result                          table  PK=HIST#{sid}, SK=RES#{index}                   SubmissionRepository.get_result
    save test results                        table  BatchWrite RES# items (25 per request)          SubmissionRepository.save_results
    finish submission                        table  TransactWrite META if not done + problem exc    SubmissionRepository.finish
    list my submissions                      GSI1   GSI1PK=USERHIST#{user}, newest first            SubmissionRepository.list_mine
    list public submissions                  GSI2   GSI2PK=PUBHIST, newest first                    SubmissionRepository.list_public
    list problem submissions visible to me   GSI3   GSI3PK=PROBHIST#{p}#{i}#PUB, …#OWN#{me}; merged SubmissionRepository.list_for_problem
    consume quota                            table  Update USAGE#{subject} ADD cnt if cnt < limit   UsageRepository.consume
    refund quota                             table  Update USAGE#{subject} ADD cnt -1               UsageRepository.refund
    get usage                                table  PK=USAGE#{subject}, SK={action}#{day}           UsageRepository.get
    create generation job                    table  Put GENJOB#{id}/META, not exists                GenerationJobRepository.create
    get generation job                       table  PK=GENJOB#{id}, SK=META                         GenerationJobRepository.get
    list generation jobs of a problem        GSI1   GSI1PK=GENJOBS#{p}#{i}, newest first            GenerationJobRepository.list_for_problem
    update generation job                    table  Update GENJOB# SET … if status is active        GenerationJobRepository.update
    cancel generation job                    table  Update GENJOB# status or cancel flag, if active GenerationJobRepository.request_cancel
    get submission hints                     table  PK=HIST#{sid}, SK=META (hint attributes)        HintRepository.get_submission_hints
    save submission hints                    table  Update HIST#{sid}/META SET hnt if none or hpv   HintRepository.save_submission_hints
    get problem hints                        table  PK=PHINT#{p}#{i}, SK=META                       HintRepository.get_problem_hints
    save problem hints                       table  Put PHINT#{p}#{i}/META                          HintRepository.save_problem_hints
    get user                                 table  PK=USER#{uid}, SK=PROFILE                       UserRepository.get
    get user by email                        table  PK=EMAIL#{email} → get user                     UserRepository.get_by_email
    get user by google id                    table  PK=GOOGLE#{sub} → get user                      UserRepository.get_by_google_id
    create user                              table  TransactWrite PROFILE + pointers, not exists    UserRepository.create
    link google id                           table  TransactWrite PROFILE + GOOGLE# pointer         UserRepository.link_google_id
    record sign-in                           table  Update PROFILE SET lli, rol, pln                UserRepository.record_sign_in
    change plan                              table  Update PROFILE SET pln if exists                UserRepository.set_plan
    deactivate user                          table  Update PROFILE SET act if exists                UserRepository.set_active
    record consents                          table  Update PROFILE SET consent timestamps           UserRepository.set_consents
    list users                               GSI1   GSI1PK=USERS, begins_with(GSI1SK, prefix)       UserRepository.list_users
    get plan                                 table  PK=PLAN#{name}, SK=META                         PlanRepository.get
    list plans                               GSI1   GSI1PK=PLANS                                    PlanRepository.list_plans
    save plan                                table  Put PLAN#{name}                                 PlanRepository.save
    delete plan                              table  Delete PLAN#{name}                              PlanRepository.delete
    start token family                       table  Put TOKFAM#{family}, not exists                 TokenRepository.start_family
    rotate refresh token                     table  Update TOKFAM# SET cur if cur = presented       TokenRepository.rotate
    revoke token family                      table  Update TOKFAM# SET rev = true                   TokenRepository.revoke
    get token family                         table  PK=TOKFAM#{family}, SK=META                     TokenRepository.get_family
    check token family is active             table  PK=TOKFAM#{family}, SK=META                     TokenRepository.is_active
    count daily event                        table  Update STATS#{day}#{random shard} ADD counters  StatsRepository.count
    get daily stats                          table  BatchGet STATS#{day}#{0..7} for N days          StatsRepository.get_days
    list applied migrations                  table  PK=MIGRATION                                    MigrationLog.applied
    get stress setup                         table  PK=PSTRESS#{p}#{i}, SK=META                     StressRepository.get_setup
    save stress setup                        table  Put PSTRESS#{p}#{i}/META (if absent: generation) StressRepository.save_setup
    start counterexample search              table  Put CXRUN; Update META SET cxs if none running StressRepository.start_search
    store counterexample                     table  Update META SET cxe if this search; del CXRUN   StressRepository.finish_search
    list running searches started before     table  PK=CXRUN, SK < {started}                        StressRepository.list_running_searches
    forget running search                    table  Delete CXRUN/{started}#{sid}                    StressRepository.forget_running_search
    get import checkpoint                    table  PK=IMPORT#{entity}, SK=CHECKPOINT               LegacyImportRepository.get_checkpoint
    save import checkpoint                   table  Put IMPORT#{entity}/CHECKPOINT                  LegacyImportRepository.save_checkpoint
    import problem                           table  TransactWrite META+PROBID#, not exists, +TAG#   LegacyImportRepository.create_problem
    import submission                        table  Put HIST# if not exists                         LegacyImportRepository.create_submission
    import submissions                       table  TransactWrite ≤100 HIST# puts if not exists     LegacyImportRepository.create_submissions
    reorder imported test cases              table  Query TC# heads, Update their positions         LegacyImportRepository.reorder_test_cases
    import test results                      table  BatchWrite RES# items of many submissions       LegacyImportRepository.save_results
    import usage counter                     table  Update USAGE# ADD cnt if lgw < window           LegacyImportRepository.add_usage
    import daily totals                      table  Update STATS#{day}#0 ADD if lgw < window        LegacyImportRepository.add_daily_totals
    get imported daily totals                table  PK=STATS#{day}#0, SK=DAY                       LegacyImportRepository.get_daily_totals
    list shard states                        table  PK=INDEXER (consistent)                         ShardStateRepository.list_shards
    acquire shard lease                      table  Update SHARD# if free, expired or mine          ShardStateRepository.acquire
    renew shard lease with checkpoint        table  Update SHARD# SET exp, seq, lag if own = me     ShardStateRepository.renew
    finish shard                             table  Update SHARD# SET fin, REMOVE own if own = me   ShardStateRepository.finish
    release shard lease                      table  Update SHARD# REMOVE own if own = me            ShardStateRepository.release
    count finished submission                table  TransactWrite COUNTED# not exists + counters    StatisticsRepository.count_submission
    get user counts                          table  PK=USER#{uid}, SK=COUNTS                        StatisticsRepository.get_user
    get problem statistics                   table  PK=PSTATS#{p}#{i}, SK=META                      StatisticsRepository.get_problem
    get submission totals                    table  PK=PSTATS, SK=TOTALS                            StatisticsRepository.get_totals
"""

from __future__ import annotations

PROBLEM_PREFIX = "PROB#"
LEGACY_ID_PREFIX = "PROBID#"
TAG_PREFIX = "TAG#"
TEST_CASE_PREFIX = "TC#"
PLATFORM_PREFIX = "PLAT#"
MIGRATION_PK = "MIGRATION"
MIGRATION_STEP_PREFIX = "STEP#"

META = "META"
ALL_PROBLEMS = "PROBS"

GSI1 = "GSI1"
GSI2 = "GSI2"
GSI3 = "GSI3"

Key = dict[str, str]


def problem_pk(platform: str, identifier: str) -> str:
    return f"{PROBLEM_PREFIX}{platform}#{identifier}"


def problem_key(platform: str, identifier: str) -> Key:
    return {"PK": problem_pk(platform, identifier), "SK": META}


def legacy_id_key(legacy_id: int) -> Key:
    return {"PK": f"{LEGACY_ID_PREFIX}{legacy_id}", "SK": META}


def created_sort(created_ms: int) -> str:
    return f"{created_ms:013d}"


def problem_list_keys(platform: str, identifier: str, created_ms: int) -> dict[str, str]:
    created = created_sort(created_ms)
    return {
        "GSI1PK": ALL_PROBLEMS,
        "GSI1SK": f"{created}#{platform}#{identifier}",
        "GSI2PK": f"{PLATFORM_PREFIX}{platform}",
        "GSI2SK": f"{created}#{identifier}",
    }


def tag_sk(tag: str) -> str:
    return f"{TAG_PREFIX}{tag}"


def tag_item_keys(platform: str, identifier: str, tag: str, created_ms: int) -> dict[str, str]:
    return {
        "PK": problem_pk(platform, identifier),
        "SK": tag_sk(tag),
        "GSI1PK": f"{TAG_PREFIX}{tag}",
        "GSI1SK": f"{created_sort(created_ms)}#{platform}#{identifier}",
    }


def test_case_sk(test_case_id: str) -> str:
    return f"{TEST_CASE_PREFIX}{test_case_id}"


def test_case_chunk_sk(test_case_id: str, stream: str, index: int) -> str:
    """``stream`` is ``I`` (input) or ``O`` (expected output)."""
    return f"{TEST_CASE_PREFIX}{test_case_id}#{stream}{index:04d}"


def migration_key(number: int) -> Key:
    return {"PK": MIGRATION_PK, "SK": f"{MIGRATION_STEP_PREFIX}{number:04d}"}


SUBMISSION_PREFIX = "HIST#"
RESULT_PREFIX = "RES#"
USER_HISTORY_PREFIX = "USERHIST#"
PUBLIC_HISTORY = "PUBHIST"
USAGE_PREFIX = "USAGE#"
USER_PREFIX = "USER#"


def submission_pk(submission_id: str) -> str:
    return f"{SUBMISSION_PREFIX}{submission_id}"


def submission_key(submission_id: str) -> Key:
    return {"PK": submission_pk(submission_id), "SK": META}


def submission_list_keys(user_id: str, submission_id: str, created_ms: int, public: bool) -> dict[str, str]:
    sort = f"{created_sort(created_ms)}#{submission_id}"
    found = {"GSI1PK": f"{USER_HISTORY_PREFIX}{user_id}", "GSI1SK": sort}
    if public:
        found |= {"GSI2PK": PUBLIC_HISTORY, "GSI2SK": sort}
    return found


PROBLEM_HISTORY_PREFIX = "PROBHIST#"


def problem_history_partition(platform: str, identifier: str, owner: str | None) -> str:
    """``owner`` None: the problem's public submissions; else that owner's private ones."""
    suffix = "PUB" if owner is None else f"OWN#{owner}"
    return f"{PROBLEM_HISTORY_PREFIX}{platform}#{identifier}#{suffix}"


def problem_history_keys(
    platform: str, identifier: str, user_id: str, submission_id: str, created_ms: int, public: bool
) -> dict[str, str]:
    return {
        "GSI3PK": problem_history_partition(platform, identifier, None if public else user_id),
        "GSI3SK": f"{created_sort(created_ms)}#{submission_id}",
    }


def result_key(submission_id: str, index: int) -> Key:
    return {"PK": submission_pk(submission_id), "SK": f"{RESULT_PREFIX}{index:05d}"}


GENERATION_JOB_PREFIX = "GENJOB#"
PROBLEM_GENERATION_JOBS_PREFIX = "GENJOBS#"
PROBLEM_HINTS_PREFIX = "PHINT#"


def generation_job_key(job_id: str) -> Key:
    return {"PK": f"{GENERATION_JOB_PREFIX}{job_id}", "SK": META}


def generation_job_list_keys(platform: str, identifier: str, job_id: str, created_ms: int) -> dict[str, str]:
    return {
        "GSI1PK": f"{PROBLEM_GENERATION_JOBS_PREFIX}{platform}#{identifier}",
        "GSI1SK": f"{created_sort(created_ms)}#{job_id}",
    }


def problem_generation_jobs_partition(platform: str, identifier: str) -> str:
    return f"{PROBLEM_GENERATION_JOBS_PREFIX}{platform}#{identifier}"


def problem_hints_key(platform: str, identifier: str) -> Key:
    return {"PK": f"{PROBLEM_HINTS_PREFIX}{platform}#{identifier}", "SK": META}


RUNNING_SEARCHES = "CXRUN"


def running_search_key(submission_id: str, started_at: int) -> Key:
    return {"PK": RUNNING_SEARCHES, "SK": f"{started_at:013d}#{submission_id}"}


def stress_setup_key(platform: str, identifier: str) -> Key:
    return {"PK": f"PSTRESS#{platform}#{identifier}", "SK": META}


def usage_key(subject: str, action: str, day: str) -> Key:
    return {"PK": f"{USAGE_PREFIX}{subject}", "SK": f"{action}#{day}"}


USERS = "USERS"
PLANS = "PLANS"
PROFILE = "PROFILE"


def user_key(user_id: str) -> Key:
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": PROFILE}


def user_list_keys(email: str) -> dict[str, str]:
    return {"GSI1PK": USERS, "GSI1SK": email}


def email_key(email: str) -> Key:
    return {"PK": f"EMAIL#{email}", "SK": META}


def google_key(google_sub: str) -> Key:
    return {"PK": f"GOOGLE#{google_sub}", "SK": META}


def plan_key(name: str) -> Key:
    return {"PK": f"PLAN#{name}", "SK": META}


def plan_list_keys(name: str) -> dict[str, str]:
    return {"GSI1PK": PLANS, "GSI1SK": name}


def token_family_key(family_id: str) -> Key:
    return {"PK": f"TOKFAM#{family_id}", "SK": META}


def daily_stats_key(day: str, shard: int) -> Key:
    return {"PK": f"STATS#{day}#{shard}", "SK": "DAY"}


def import_checkpoint_key(entity: str) -> Key:
    return {"PK": f"IMPORT#{entity}", "SK": "CHECKPOINT"}


INDEXER_PK = "INDEXER"


def shard_state_key(shard_id: str) -> Key:
    return {"PK": INDEXER_PK, "SK": f"SHARD#{shard_id}"}


def counted_key(submission_id: str) -> Key:
    return {"PK": f"COUNTED#{submission_id}", "SK": META}


def user_problem_key(user_id: str, platform: str, identifier: str) -> Key:
    return {"PK": f"USERPROB#{user_id}#{platform}#{identifier}", "SK": META}


def user_counts_key(user_id: str) -> Key:
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": "COUNTS"}


def problem_stats_key(platform: str, identifier: str) -> Key:
    return {"PK": f"PSTATS#{platform}#{identifier}", "SK": META}


def totals_key() -> Key:
    return {"PK": "PSTATS", "SK": "TOTALS"}
