//! Fresh, stale and expired, and the one revalidation ticket per staleness window.

use super::{check, check_with};
use crate::isr::IsrConfig;

#[test]
fn a_page_is_fresh_for_its_window_then_stale_then_expired() {
    check_with(
        IsrConfig {
            stale_max_ms: 60_000,
            ..IsrConfig::default()
        },
        "
        @0      lookup /a                 -> miss
        @0      fill /a                   -> leader #1
        @0      insert /a #1 revalidate=10 -> stored
        @1      lookup /a                 -> fresh
        @9999   lookup /a                 -> fresh
        @10000  lookup /a                 -> stale #2
        @69999  lookup /a                 -> stale #3
        // Stale for as long as stale_max_ms, then too old to serve.
        @70000  lookup /a                 -> miss
        @70000  lookup /a                 -> miss
        // Revalidation #3 is still under way: the miss waits for it rather than render again.
        @70000  fill /a                   -> follower
        @70001  insert /a #3 revalidate=10 rendered=69999 -> stored
        @70002  lookup /a                 -> fresh
        ",
    );
}

#[test]
fn a_page_without_revalidate_stays_fresh() {
    check(
        "
        @0            fill /a                 -> leader #1
        @0            insert /a #1 revalidate=forever -> stored
        @999999999999 lookup /a               -> fresh
        ",
    );
}

#[test]
fn the_window_is_counted_from_the_render_not_the_insert() {
    // A render that started at 0 and took 4 s is fresh for 6 s more, not 10.
    check(
        "
        @0     fill /a                              -> leader #1
        @4000  insert /a #1 revalidate=10 rendered=0 -> stored
        @9999  lookup /a                            -> fresh
        @10000 lookup /a                            -> stale #2
        ",
    );
}

#[test]
fn a_stale_page_hands_out_one_ticket_until_its_render_reports() {
    check(
        "
        @0     fill /a                    -> leader #1
        @0     insert /a #1 revalidate=10 -> stored
        @10000 lookup /a                  -> stale #2
        @10001 lookup /a                  -> stale
        @10002 lookup /a                  -> stale
        @12000 insert /a #2 revalidate=10 rendered=10000 -> stored
        @12001 lookup /a                  -> fresh
        @19999 lookup /a                  -> fresh
        // A new window, a new ticket.
        @20000 lookup /a                  -> stale #3
        @20001 lookup /a                  -> stale
        ",
    );
}

#[test]
fn a_failed_revalidation_keeps_the_stale_page_and_frees_the_ticket() {
    check(
        "
        @0     fill /a                    -> leader #1
        @0     insert /a #1 revalidate=10 -> stored
        @10000 lookup /a                  -> stale #2
        @10001 lookup /a                  -> stale
        @10500 fail #2                    -> ok
        @10501 lookup /a                  -> stale #3
        @10502 lookup /a                  -> stale
        ",
    );
}

#[test]
fn a_lost_revalidation_is_retried_after_the_retry_interval() {
    // Ticket #2 is never reported: from 30 s after it was handed out, the next stale
    // lookup gets a new one, so the page cannot be pinned stale forever.
    check_with(
        IsrConfig {
            revalidate_retry_ms: 30_000,
            ..IsrConfig::default()
        },
        "
        @0     fill /a                    -> leader #1
        @0     insert /a #1 revalidate=10 -> stored
        @10000 lookup /a                  -> stale #2
        @39999 lookup /a                  -> stale
        @40000 lookup /a                  -> stale #3
        @40001 lookup /a                  -> stale
        // The lost render turns up after all: newer than the page stored, so it lands.
        @41000 insert /a #2 revalidate=10 rendered=10000 -> stored
        // #3 started later and finishes later: newer, it replaces #2's page.
        @42000 insert /a #3 revalidate=10 rendered=40000 -> stored
        @49999 lookup /a                  -> fresh
        ",
    );
}

#[test]
fn an_older_render_finishing_last_does_not_replace_a_newer_one() {
    check(
        "
        @0     fill /a                    -> leader #1
        @0     insert /a #1 revalidate=10 -> stored
        @10000 lookup /a                  -> stale #2
        @45000 lookup /a                  -> stale #3
        @46000 insert /a #3 revalidate=10 rendered=45000 -> stored
        @47000 insert /a #2 revalidate=10 rendered=10000 -> rejected:superseded
        @54999 lookup /a                  -> fresh
        ",
    );
}

#[test]
fn keys_are_per_site_and_per_path() {
    check(
        "
        @0 fill /a                    -> leader #1
        @0 insert /a #1 revalidate=10 -> stored
        @1 lookup /a                  -> fresh
        @1 lookup /a site=1           -> miss
        @1 lookup /a/                 -> miss
        @1 lookup /A                  -> miss
        ",
    );
}

#[test]
fn pages_that_cannot_be_cached_are_refused_and_drop_the_old_entry() {
    check(
        "
        @0  fill /a                             -> leader #1
        @0  insert /a #1 revalidate=0           -> rejected:not-cacheable
        @1  lookup /a                           -> miss
        @1  fill /a                             -> leader #2
        @1  insert /a #2 revalidate=10          -> stored
        @2  path /a                             -> 1
        @2  lookup /a                           -> stale #3
        // The re-render grew past the entry limit: the stale page goes too.
        @3  insert /a #3 body=5000000           -> rejected:too-large
        @4  lookup /a                           -> miss
        @4  fill /a                             -> leader #4
        @4  insert /a #4 tags=ok,               -> rejected:bad-tags
        @5  fill /a                             -> leader #5
        @5  insert /a #5 tags=ok                -> stored
        ",
    );
}

#[test]
fn too_many_or_too_long_tags_are_refused() {
    let many: Vec<String> = (0..65).map(|i| format!("t{i}")).collect();
    let long = "x".repeat(257);
    let just_right = "x".repeat(256);
    check(&format!(
        "
        @0 fill /a                     -> leader #1
        @0 insert /a #1 tags={}        -> rejected:bad-tags
        @0 fill /a                     -> leader #2
        @0 insert /a #2 tags={long}    -> rejected:bad-tags
        @0 fill /a                     -> leader #3
        @0 insert /a #3 tags={just_right} -> stored
        ",
        many.join(",")
    ));
}

#[test]
fn holds_sees_any_entry_without_touching_it() {
    // Pre-rendering asks whether a page is there, fresh or not, and counts no lookup.
    check_with(
        IsrConfig {
            stale_max_ms: 60_000,
            ..IsrConfig::default()
        },
        "
        @0      holds /a                   -> no
        @0      fill /a                    -> leader #1
        @0      holds /a                   -> no
        @0      insert /a #1 revalidate=10 -> stored
        @1      holds /a                   -> yes
        @20000  holds /a                   -> yes
        @20000  holds /b                   -> no
        ",
    );
}

#[test]
fn a_page_with_its_own_stale_window_expires_when_it_ends() {
    // An HTTP response's `stale-while-revalidate=5`, and one without (0).
    check(
        "
        @0     fill /a                                -> leader #1
        @0     insert /a #1 revalidate=10 stale=5     -> stored
        @0     fill /b                                -> leader #2
        @0     insert /b #2 revalidate=10 stale=0     -> stored
        @9999  lookup /b                              -> fresh
        @10000 lookup /b                              -> miss
        @14999 lookup /a                              -> stale #3
        @15000 lookup /a                              -> miss
        ",
    );
}

#[test]
fn an_invalidated_page_without_a_stale_window_is_a_miss() {
    check(
        "
        @0   fill /a                              -> leader #1
        @0   insert /a #1 revalidate=60 stale=0   -> stored
        @0   fill /b                              -> leader #2
        @0   insert /b #2 revalidate=60 stale=30  -> stored
        @1   path /a                              -> 1
        @1   path /b                              -> 1
        @2   lookup /a                            -> miss
        @2   lookup /b                            -> stale #3
        ",
    );
}
