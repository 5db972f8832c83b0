//! AWS partitions and their Regions (from botocore's endpoints data; see
//! `tools/catalog/regions.py`).

use std::sync::OnceLock;

const DATA: &str = include_str!("../data/regions.txt");

/// One partition and its Regions.
#[derive(Debug)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub name: &'static str,
    /// Its Regions, sorted.
    pub regions: Vec<&'static str>,
}

/// Every partition, in the data's order (`aws` first).
pub fn partitions() -> &'static [Partition] {
    static P: OnceLock<Vec<Partition>> = OnceLock::new();
    P.get_or_init(|| {
        DATA.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                let name = f.next()?;
                let _regex = f.next()?;
                let regions = f.next()?.split(',').filter(|r| !r.is_empty()).collect();
                Some(Partition { name, regions })
            })
            .collect()
    })
}

/// The partition that holds `region`, if it is a known Region.
pub fn region_partition(region: &str) -> Option<&'static str> {
    partitions()
        .iter()
        .find(|p| p.regions.contains(&region))
        .map(|p| p.name)
}

/// Is `name` a known partition?
pub fn is_partition(name: &str) -> bool {
    partitions().iter().any(|p| p.name == name)
}

/// Why `region` is not a Region, or `None` when it is one (or holds a wildcard or a
/// policy variable, which stand for any).
pub fn region_problem(region: &str) -> Option<String> {
    if region.is_empty() || region.contains(['*', '?']) || region.contains("${") {
        return None;
    }
    if region_partition(region).is_some() {
        return None;
    }
    // An Availability Zone: a Region followed by a letter (us-east-1a), or a zone ID.
    if let Some(base) = region.strip_suffix(|c: char| c.is_ascii_lowercase()) {
        if region_partition(base).is_some() {
            return Some(format!(
                "\"{region}\" is an Availability Zone, not a Region; the Region is \"{base}\""
            ));
        }
    }
    // Name the Regions that share its stem (eu-west-9 → eu-west-1, eu-west-2, …).
    let stem = region.trim_end_matches(|c: char| c.is_ascii_digit());
    let near: Vec<&str> = partitions()
        .iter()
        .flat_map(|p| p.regions.iter().copied())
        .filter(|r| stem.len() > 2 && r.starts_with(stem))
        .collect();
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!(" (known: {})", near.join(", "))
    };
    Some(format!("\"{region}\" is not an AWS Region{hint}"))
}
