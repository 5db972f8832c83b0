//! Matching concrete ARNs against the ARN patterns of resource types.

use crate::pattern::{push_literal, run_pieces, Piece};

/// A compiled resource-type ARN pattern such as
/// `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
///
/// Matching rules (chosen so that ordinary ARNs classify the way the AWS
/// documentation describes them):
///
/// * The first five colon-separated fields (`arn`, partition, service, region,
///   account) compare ASCII-case-insensitively; the resource part compares exactly.
/// * A `${…}` placeholder in those first five fields matches one or more
///   characters other than `:`.
/// * A `${…}` placeholder in the resource part matches any run of characters
///   (possibly empty) that contains no `:`; `/` is allowed, because object keys,
///   IAM paths, log-group names and API paths contain slashes. The **last**
///   placeholder of a pattern that ends with a placeholder may also contain `:`, so
///   `function:${FunctionName}` accepts a qualified `function:f:prod` and
///   `log-group:${LogGroupName}` accepts the `…:log-group:name:*` form.
/// * A literal `*` in a pattern (a few upstream patterns have one) matches any run.
///
/// Because placeholders may contain `/`, a bucket pattern also accepts an object ARN.
/// [`ArnMatcher::is_shadowed_by`] expresses the tie-break the catalog applies: a
/// pattern is set aside when a longer pattern of the same service that continues it
/// with `/…` also matches (object beats bucket, index beats table). Continuations that
/// start with `:` (qualifiers such as Lambda versions) do not shadow.
#[derive(Debug, Clone)]
pub struct ArnMatcher {
    pattern: String,
    pieces: Vec<Piece>,
    literal_len: usize,
    skeleton: String,
}

/// Number of colons before the resource part of an ARN.
const PREFIX_COLONS: usize = 5;

impl ArnMatcher {
    /// Compiles an ARN pattern. Every string is accepted; text that is not a
    /// well-formed placeholder is treated literally.
    pub fn new(pattern: &str) -> ArnMatcher {
        // First pass: split into literal runs and placeholders, remembering where each
        // placeholder sits (prefix fields or resource part).
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut colons = 0usize;
        let mut skeleton = String::new();
        let mut rest = pattern;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("${") {
                if let Some(end) = after.find('}') {
                    push_literal(&mut pieces, &mut literal, colons < PREFIX_COLONS);
                    let in_prefix = colons < PREFIX_COLONS;
                    pieces.push(Piece::Var {
                        min: usize::from(in_prefix),
                        stop_at_colon: true,
                    });
                    skeleton.push('\u{0}');
                    rest = after.get(end + 1..).unwrap_or("");
                    continue;
                }
            }
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { break };
            rest = chars.as_str();
            if c == '*' {
                push_literal(&mut pieces, &mut literal, colons < PREFIX_COLONS);
                pieces.push(Piece::Var {
                    min: 0,
                    stop_at_colon: false,
                });
                skeleton.push('*');
                continue;
            }
            literal.push(c);
            skeleton.push(c);
            if c == ':' {
                colons += 1;
                if colons == PREFIX_COLONS {
                    // The prefix fields end here; later literals compare exactly.
                    push_literal(&mut pieces, &mut literal, true);
                }
            }
        }
        push_literal(&mut pieces, &mut literal, colons < PREFIX_COLONS);
        // A pattern ending in a resource-part placeholder lets that placeholder take ':'.
        if colons >= PREFIX_COLONS {
            if let Some(Piece::Var { stop_at_colon, .. }) = pieces.last_mut() {
                *stop_at_colon = false;
            }
        }
        let literal_len = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal { text, .. } => text.len(),
                Piece::Var { .. } => 0,
            })
            .sum();
        ArnMatcher {
            pattern: pattern.to_owned(),
            pieces,
            literal_len,
            skeleton,
        }
    }

    /// The pattern this matcher was built from.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// True when `arn` is an instance of the pattern.
    pub fn matches(&self, arn: &str) -> bool {
        run_pieces(&self.pieces, arn)
    }

    /// How specific the pattern is: the number of literal bytes in it.
    pub fn specificity(&self) -> usize {
        self.literal_len
    }

    /// True when `other` continues this pattern with a `/…` path (placeholder names
    /// ignored), e.g. `…:table/${TableName}` is shadowed by
    /// `…:table/${TableName}/index/${IndexName}`.
    pub fn is_shadowed_by(&self, other: &ArnMatcher) -> bool {
        other
            .skeleton
            .strip_prefix(self.skeleton.as_str())
            .is_some_and(|tail| tail.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_bucket_and_object() {
        let bucket = ArnMatcher::new("arn:${Partition}:s3:::${BucketName}");
        let object = ArnMatcher::new("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        assert!(bucket.matches("arn:aws:s3:::my-bucket"));
        assert!(object.matches("arn:aws:s3:::my-bucket/a/b/c.txt"));
        assert!(!object.matches("arn:aws:s3:::my-bucket"));
        assert!(bucket.matches("arn:aws:s3:::my-bucket/key"));
        assert!(bucket.is_shadowed_by(&object));
        assert!(!object.is_shadowed_by(&bucket));
        assert!(object.specificity() > bucket.specificity());
        assert!(!bucket.matches("arn:aws:s3:us-east-1::my-bucket"));
        assert!(bucket.matches("ARN:AWS-CN:S3:::bucket"));
    }

    #[test]
    fn prefix_placeholders_are_not_empty() {
        let key = ArnMatcher::new("arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}");
        assert!(key.matches("arn:aws:kms:us-east-1:123456789012:key/1234abcd"));
        assert!(!key.matches("arn:aws:kms::123456789012:key/1234abcd"));
        assert!(!key.matches("arn:aws:kms:us-east-1:123456789012:alias/x"));
    }

    #[test]
    fn resource_part_is_case_sensitive() {
        let role = ArnMatcher::new("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}");
        assert!(role.matches("arn:aws:iam::123456789012:role/service-role/Admin"));
        assert!(!role.matches("arn:aws:iam::123456789012:Role/Admin"));
    }

    #[test]
    fn last_placeholder_takes_colons() {
        let function = ArnMatcher::new(
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",
        );
        let version = ArnMatcher::new(
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Version}",
        );
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:f:7";
        assert!(function.matches(arn));
        assert!(version.matches(arn));
        assert!(!function.is_shadowed_by(&version));
        let stream = ArnMatcher::new(
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
        );
        assert!(stream.matches("arn:aws:logs:us-east-1:1:log-group:/aws/x:log-stream:s/1"));
        assert!(!stream.matches("arn:aws:logs:us-east-1:1:log-group:/aws/x"));
    }

    #[test]
    fn literal_star() {
        let m = ArnMatcher::new("arn:${Partition}:dms:${Region}:${Account}:endpoint:*");
        assert!(m.matches("arn:aws:dms:us-east-1:123456789012:endpoint:ABC:DEF"));
        assert!(!m.matches("arn:aws:dms:us-east-1:123456789012:task:ABC"));
    }
}
