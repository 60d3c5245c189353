//! The checked-in SDL is what the code exports.

#[test]
fn schema_graphql_matches_the_exported_schema() {
    let exported = closeloop::graphql::sdl();

    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .unwrap_or_default();

    assert!(
        exported == checked_in,
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql`"
    );
}
