//! Errors raised while loading catalog data.

/// The catalog data could not be read.
///
/// The embedded data is checked by the crate's tests, so these errors only come up
/// with data passed to [`Catalog::from_bytes`](crate::Catalog::from_bytes) or with a
/// hand-edited data file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The header (format line, source, counts, service index) is malformed.
    #[error("catalog header: {message}")]
    Header {
        /// What is wrong.
        message: String,
    },
    /// One service's block is malformed.
    #[error("catalog data for service `{service}`, line {line}: {message}")]
    Service {
        /// Service prefix.
        service: String,
        /// 1-based line number inside the service block.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The global-key table is malformed.
    #[error("global key table: {message}")]
    GlobalKeys {
        /// What is wrong.
        message: String,
    },
}
