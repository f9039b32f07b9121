//! One render per key at a time: leaders, followers, deadlines.

use super::{check, check_with};
use crate::isr::IsrConfig;

#[test]
fn the_first_miss_leads_and_the_rest_follow_until_it_reports() {
    check(
        "
        @0   lookup /a                    -> miss
        @0   fill /a                      -> leader #1
        @1   lookup /a                    -> miss
        @1   fill /a                      -> follower
        @2   fill /a                      -> follower
        // Other keys are not held up.
        @2   fill /b                      -> leader #2
        @50  insert /a #1 revalidate=10   -> stored
        @51  lookup /a                    -> fresh
        ",
    );
}

#[test]
fn a_failed_leader_lets_the_next_request_lead() {
    check(
        "
        @0   fill /a   -> leader #1
        @1   fill /a   -> follower
        @5   fail #1   -> ok
        @6   fill /a   -> leader #2
        @7   fill /a   -> follower
        ",
    );
}

#[test]
fn a_lost_leader_blocks_only_until_its_deadline() {
    check_with(
        IsrConfig {
            fill_timeout_ms: 10_000,
            ..IsrConfig::default()
        },
        "
        @0      fill /a                  -> leader #1
        @9999   fill /a                  -> follower
        @10000  fill /a                  -> leader #2
        @10001  fill /a                  -> follower
        // The first leader reports after all: its page is stored, but the claim is #2's.
        @10002  insert /a #1 revalidate=10 rendered=0 -> stored
        @10003  fill /a                  -> follower
        @10004  insert /a #2 revalidate=10 rendered=10000 -> stored
        @10005  lookup /a                -> fresh
        @10006  fill /a                  -> leader #3
        ",
    );
}

#[test]
fn sweep_forgets_renders_past_their_deadline() {
    check_with(
        IsrConfig {
            fill_timeout_ms: 10_000,
            ..IsrConfig::default()
        },
        "
        @0      fill /a   -> leader #1
        @5000   fill /b   -> leader #2
        @9999   sweep     -> 0
        @10000  sweep     -> 1
        @15000  sweep     -> 1
        @15000  sweep     -> 0
        @15000  fill /a   -> leader #3
        // Reporting a swept render is harmless.
        @15001  fail #1   -> ok
        @15001  fill /a   -> follower
        ",
    );
}

#[test]
fn a_render_started_before_clear_is_not_stored() {
    check(
        "
        @0  fill /a                     -> leader #1
        @0  insert /a #1 revalidate=10  -> stored
        @1  lookup /a                   -> fresh
        @2  fill /b                     -> leader #2
        @3  clear                       -> ok
        @4  lookup /a                   -> miss
        @5  insert /b #2 revalidate=10  -> rejected:superseded
        @6  lookup /b                   -> miss
        @6  fill /b                     -> leader #3
        ",
    );
}

#[test]
fn a_full_table_of_renders_stops_coalescing_instead_of_refusing() {
    let mut script = String::new();
    for i in 0..crate::isr::ISR_FILLS_MAX {
        script.push_str(&format!("@0 fill /p{i} -> leader #{}\n", i + 1));
    }
    let next = crate::isr::ISR_FILLS_MAX + 1;
    script.push_str(&format!(
        "
        // Untracked leaders: each miss renders, nobody waits on them.
        @0 fill /extra -> leader #{next}
        @0 fill /extra -> leader #{}
        ",
        next + 1
    ));
    check(&script);
}
