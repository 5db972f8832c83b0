//! Unions of closed intervals over `u128`, and CIDR blocks as intervals.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A union of disjoint, non-adjacent closed intervals, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntervalSet {
    ranges: Vec<(u128, u128)>,
}

impl IntervalSet {
    /// The empty set.
    pub fn new() -> IntervalSet {
        IntervalSet::default()
    }

    /// One interval `[lo, hi]` (empty if `lo > hi`).
    pub fn range(lo: u128, hi: u128) -> IntervalSet {
        let mut s = IntervalSet::new();
        if lo <= hi {
            s.ranges.push((lo, hi));
        }
        s
    }

    /// The intervals, sorted and disjoint.
    pub fn ranges(&self) -> &[(u128, u128)] {
        &self.ranges
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Does the set hold `x`?
    pub fn contains(&self, x: u128) -> bool {
        self.ranges.iter().any(|(lo, hi)| *lo <= x && x <= *hi)
    }

    /// The union.
    pub fn union(&self, other: &IntervalSet) -> IntervalSet {
        let mut all: Vec<(u128, u128)> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u128, u128)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                // Overlapping or adjacent: merge.
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        IntervalSet { ranges: out }
    }

    /// The intersection.
    pub fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::new();
        for (a, b) in &self.ranges {
            for (c, d) in &other.ranges {
                let lo = (*a).max(*c);
                let hi = (*b).min(*d);
                if lo <= hi {
                    out.push((lo, hi));
                }
            }
        }
        IntervalSet::from_ranges(out)
    }

    /// `self` minus `other`.
    pub fn difference(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::new();
        for (a, b) in &self.ranges {
            let mut pieces = vec![(*a, *b)];
            for (c, d) in &other.ranges {
                let mut next = Vec::new();
                for (lo, hi) in pieces {
                    if *d < lo || *c > hi {
                        next.push((lo, hi));
                        continue;
                    }
                    if *c > lo {
                        next.push((lo, *c - 1));
                    }
                    if *d < hi {
                        next.push((*d + 1, hi));
                    }
                }
                pieces = next;
            }
            out.extend(pieces);
        }
        IntervalSet::from_ranges(out)
    }

    fn from_ranges(r: Vec<(u128, u128)>) -> IntervalSet {
        r.into_iter().fold(IntervalSet::new(), |acc, (lo, hi)| {
            acc.union(&IntervalSet::range(lo, hi))
        })
    }

    /// Some member, if any.
    pub fn witness(&self) -> Option<u128> {
        self.ranges.first().map(|(lo, _)| *lo)
    }
}

/// Which address family a set of addresses is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// 32-bit addresses.
    V4,
    /// 128-bit addresses.
    V6,
}

/// A CIDR block as an interval in its family.
pub fn net_interval(n: &IpNet) -> (Family, IntervalSet) {
    match n {
        IpNet::V4(v) => (
            Family::V4,
            IntervalSet::range(
                u128::from(u32::from(v.network())),
                u128::from(u32::from(v.broadcast())),
            ),
        ),
        IpNet::V6(v) => (
            Family::V6,
            IntervalSet::range(u128::from(v.network()), u128::from(v.broadcast())),
        ),
    }
}

/// The fewest CIDR blocks that together are exactly `set` (in `family`).
pub fn cidr_cover(family: Family, set: &IntervalSet) -> Vec<IpNet> {
    let bits: u32 = match family {
        Family::V4 => 32,
        Family::V6 => 128,
    };
    let mut out = Vec::new();
    for (lo, hi) in set.ranges() {
        let mut start = *lo;
        loop {
            // The largest aligned block starting at `start` that stays within `hi`.
            let mut size_bits = if start == 0 {
                bits
            } else {
                start.trailing_zeros().min(bits)
            };
            while size_bits > 0 {
                let span = if size_bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << size_bits) - 1
                };
                match start.checked_add(span) {
                    Some(end) if end <= *hi => break,
                    _ => size_bits -= 1,
                }
            }
            let prefix = u8::try_from(bits - size_bits).unwrap_or(0);
            let net = match family {
                Family::V4 => u32::try_from(start)
                    .ok()
                    .and_then(|x| ipnet::Ipv4Net::new(Ipv4Addr::from(x), prefix).ok())
                    .map(IpNet::V4),
                Family::V6 => ipnet::Ipv6Net::new(Ipv6Addr::from(start), prefix)
                    .ok()
                    .map(IpNet::V6),
            };
            if let Some(n) = net {
                out.push(n);
            }
            let span = if size_bits >= 128 {
                u128::MAX
            } else {
                (1u128 << size_bits) - 1
            };
            match start.checked_add(span).and_then(|e| e.checked_add(1)) {
                Some(next) if next <= *hi => start = next,
                _ => break,
            }
        }
    }
    out
}

/// An address as a number in its family.
pub fn addr_value(a: &IpAddr) -> (Family, u128) {
    match a {
        IpAddr::V4(v) => (Family::V4, u128::from(u32::from(*v))),
        IpAddr::V6(v) => (Family::V6, u128::from(*v)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use proptest::prelude::*;

    fn member(s: &[(u128, u128)], x: u128) -> bool {
        s.iter().any(|(a, b)| *a <= x && x <= *b)
    }

    proptest! {
        #[test]
        fn operations_agree_with_membership(
            a in proptest::collection::vec((0u128..200, 0u128..40), 0..5),
            b in proptest::collection::vec((0u128..200, 0u128..40), 0..5),
            x in 0u128..260,
        ) {
            let ra: Vec<(u128, u128)> = a.iter().map(|(lo, w)| (*lo, lo + w)).collect();
            let rb: Vec<(u128, u128)> = b.iter().map(|(lo, w)| (*lo, lo + w)).collect();
            let sa = IntervalSet::from_ranges(ra.clone());
            let sb = IntervalSet::from_ranges(rb.clone());
            prop_assert_eq!(sa.contains(x), member(&ra, x));
            prop_assert_eq!(sa.union(&sb).contains(x), member(&ra, x) || member(&rb, x));
            prop_assert_eq!(sa.intersect(&sb).contains(x), member(&ra, x) && member(&rb, x));
            prop_assert_eq!(sa.difference(&sb).contains(x), member(&ra, x) && !member(&rb, x));
        }
    }

    #[test]
    fn cidr_cover_is_exact_and_minimal() {
        let a: IpNet = "10.0.0.0/9".parse().unwrap();
        let b: IpNet = "10.128.0.0/9".parse().unwrap();
        let (f, x) = net_interval(&a);
        let (_, y) = net_interval(&b);
        let c = cidr_cover(f, &x.union(&y));
        assert_eq!(c, vec!["10.0.0.0/8".parse::<IpNet>().unwrap()]);
        let all = IntervalSet::range(0, u128::from(u32::MAX));
        assert_eq!(
            cidr_cover(Family::V4, &all),
            vec!["0.0.0.0/0".parse::<IpNet>().unwrap()]
        );
        // 10/8 minus 10.1/16: every address of the difference, nothing else.
        let (_, big) = net_interval(&"10.0.0.0/8".parse().unwrap());
        let (_, hole) = net_interval(&"10.1.0.0/16".parse().unwrap());
        let d = big.difference(&hole);
        let cover = cidr_cover(Family::V4, &d);
        let back = cover
            .iter()
            .map(|n| net_interval(n).1)
            .fold(IntervalSet::new(), |a, b| a.union(&b));
        assert_eq!(back, d);
        assert_eq!(cover.len(), 8);
    }
}
