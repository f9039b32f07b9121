//! Invalidation by tag and by path marks pages stale; renders spanning one store stale.

use super::check;

#[test]
fn a_tag_marks_its_pages_stale_and_they_revalidate_on_next_request() {
    check(
        "
        @0  fill /a                               -> leader #1
        @0  insert /a #1 revalidate=forever tags=posts,home -> stored
        @0  fill /b                               -> leader #2
        @0  insert /b #2 revalidate=60 tags=posts -> stored
        @0  fill /c                               -> leader #3
        @0  insert /c #3 revalidate=60 tags=about -> stored
        @1  tag posts                             -> 2
        // Already stale: counted once.
        @1  tag posts                             -> 0
        @1  tag nothing                           -> 0
        @2  lookup /a                             -> stale #4
        @2  lookup /a                             -> stale
        @2  lookup /b                             -> stale #5
        @2  lookup /c                             -> fresh
        @3  insert /a #4 revalidate=forever tags=posts,home -> stored
        @4  lookup /a                             -> fresh
        @5  tag home                              -> 1
        @6  lookup /a                             -> stale #6
        ",
    );
}

#[test]
fn tags_are_per_site() {
    check(
        "
        @0  fill /a                      -> leader #1
        @0  insert /a #1 tags=posts      -> stored
        @0  fill /a site=1               -> leader #2
        @0  insert /a #2 tags=posts site=1 -> stored
        @1  tag posts site=1             -> 1
        @2  lookup /a                    -> fresh
        @2  lookup /a site=1             -> stale #3
        ",
    );
}

#[test]
fn a_path_marks_one_page_stale() {
    check(
        "
        @0  fill /a                     -> leader #1
        @0  insert /a #1 revalidate=60  -> stored
        @0  fill /b                     -> leader #2
        @0  insert /b #2 revalidate=60  -> stored
        @1  path /a                     -> 1
        @1  path /a                     -> 0
        @1  path /missing               -> 0
        @1  path /b site=1              -> 0
        @2  lookup /a                   -> stale #3
        @2  lookup /b                   -> fresh
        ",
    );
}

#[test]
fn a_render_that_spans_an_invalidation_is_stored_stale() {
    // The loader of #1 may have read the data before the publish that invalidated `posts`.
    check(
        "
        @0  fill /a                            -> leader #1
        @1  tag posts                          -> 0
        @2  insert /a #1 revalidate=60 tags=posts -> stored-stale
        @3  lookup /a                          -> stale #2
        @4  insert /a #2 revalidate=60 tags=posts -> stored
        @5  lookup /a                          -> fresh
        ",
    );
}

#[test]
fn evicted_and_replaced_entries_leave_the_tag_index() {
    // The script runner checks the tag index against the entries after every step; this
    // walks the replacement and removal paths through it.
    check(
        "
        @0  fill /a                          -> leader #1
        @0  insert /a #1 tags=x,y            -> stored
        @1  path /a                          -> 1
        @2  lookup /a                        -> stale #2
        @3  insert /a #2 tags=y,z            -> stored
        @4  tag x                            -> 0
        @4  tag z                            -> 1
        @5  lookup /a                        -> stale #3
        @6  insert /a #3 revalidate=0 tags=z -> rejected:not-cacheable
        @7  tag y                            -> 0
        @7  tag z                            -> 0
        ",
    );
}
