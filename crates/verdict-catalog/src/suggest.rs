//! "Did you mean …" suggestions for misspelt service prefixes and action names.

use crate::catalog::Catalog;
use crate::model::Service;

/// Largest edit distance accepted for a word of `len` characters.
fn limit(len: usize, floor: usize) -> usize {
    (len / 3).max(floor)
}

fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
}

/// Services whose prefix is within the edit-distance limit of `prefix`, with the
/// distance; the exact service alone (distance 0) when it exists.
fn near_services<'c>(catalog: &'c Catalog, prefix: &str) -> Vec<(Service<'c>, usize)> {
    if let Some(service) = catalog.service(prefix) {
        return vec![(service, 0)];
    }
    let max = limit(prefix.chars().count(), 1);
    catalog
        .services()
        .map(|service| (service, distance(prefix, service.prefix())))
        .filter(|(_, d)| *d <= max)
        .collect()
}

pub(crate) fn suggest_service<'c>(catalog: &'c Catalog, prefix: &str) -> Option<&'c str> {
    near_services(catalog, prefix)
        .into_iter()
        .min_by_key(|(_, d)| *d)
        .map(|(service, _)| service.prefix())
}

pub(crate) fn suggest_action(catalog: &Catalog, name: &str) -> Option<String> {
    let (prefix, action) = name.trim().split_once(':')?;
    if action.is_empty() {
        return None;
    }
    let services = near_services(catalog, prefix);

    // 1. The same name in the given service or a near one (closest prefix first).
    let exact = services
        .iter()
        .filter_map(|(service, d)| service.action(action).map(|found| (found, *d)))
        .min_by_key(|(_, d)| *d);
    if let Some((found, _)) = exact {
        return Some(found.to_string());
    }

    // 2. The closest name in those services; prefix distance weighs double.
    let max = limit(action.chars().count(), 2);
    let mut best: Option<(usize, String)> = None;
    for (service, service_distance) in &services {
        for candidate in service.actions() {
            let d = distance(action, candidate.name());
            if d > max {
                continue;
            }
            let score = d + 2 * service_distance;
            if best.as_ref().is_none_or(|(current, _)| score < *current) {
                best = Some((score, candidate.to_string()));
            }
        }
    }
    if let Some((_, found)) = best {
        return Some(found);
    }

    // 3. The same action name in some other service (e.g. `s3:DescribeInstances`),
    //    preferring the service whose prefix is closest to the one written.
    catalog
        .services()
        .filter_map(|service| service.action(action))
        .min_by_key(|found| distance(prefix, found.service().prefix()))
        .map(|found| found.to_string())
}
