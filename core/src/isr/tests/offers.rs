//! Pages made elsewhere (another node's, `[cluster] share_pages`) offered to the cache.

use super::check;

#[test]
fn an_offered_page_is_kept_and_served_like_a_rendered_one() {
    check(
        "
        @10 offer /a revalidate=60 rendered=5   -> stored
        @11 lookup /a                           -> fresh
        // Dated by its age: fresh until 60 s after it was rendered there, not here.
        @60004 lookup /a                        -> fresh
        @60006 lookup /a                        -> stale #1
        @60007 insert /a #1 revalidate=60       -> stored
        @60008 lookup /a                        -> fresh
        ",
    );
}

#[test]
fn an_older_offer_never_replaces_a_newer_page() {
    check(
        "
        @0  fill /a                         -> leader #1
        @20 insert /a #1 rendered=20        -> stored
        @30 offer /a rendered=10            -> rejected:superseded
        @31 lookup /a                       -> fresh
        @40 offer /a rendered=35            -> stored
        // A render under way here is not disturbed by an offer; a newer one lands after it.
        @41 path /a                         -> 1
        @42 lookup /a                       -> stale #2
        @43 offer /a rendered=43            -> stored
        @44 insert /a #2 rendered=42        -> rejected:superseded
        @45 lookup /a                       -> fresh
        ",
    );
}

#[test]
fn an_offer_from_before_an_invalidation_is_kept_stale() {
    check(
        "
        @0  offer /a revalidate=forever tags=posts stale -> stored-stale
        @1  lookup /a                                    -> stale #1
        @2  fail #1                                      -> ok
        // Its limits are a render's limits.
        @3  offer /b revalidate=0                        -> rejected:not-cacheable
        @3  offer /c tags=                               -> rejected:bad-tags
        ",
    );
}
