//! Helpers for input arguments shared by every domain's resolvers.

use async_graphql::MaybeUndefined;

use crate::error::AppResult;

/// Maps a "set, clear or keep" input through a parser: `None` keeps the current value,
/// `Some(None)` clears it, `Some(Some(v))` sets it.
pub fn optional<T, U>(
    value: MaybeUndefined<T>,
    parse: impl FnOnce(T) -> AppResult<U>,
) -> AppResult<Option<Option<U>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(parse(v)?)),
    })
}
