//! The batch loader: reads the common shapes of a scenario line quickly, with each
//! policy document parsed once per batch (see [`PolicyCache`]), and gives up (returns
//! `None`) on anything unusual so that the strict loader can produce its located
//! diagnostics. For any line it accepts, it builds the same scenario as the strict
//! loader: the request part goes through the strict loader, and every policy document
//! through the same policy parser with the same options and labels.

use crate::scenario::{scenario_from_json, NamedPolicy, Policies, PolicyCache, Scenario};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use verdict_policy::{parse_policy, ParseOptions, PolicyType, ScpSyntax, SourceFile};

/// An object's members in order, raw; duplicate keys make it fail.
struct Members<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                let mut out: Vec<(&'a str, &'a RawValue)> = Vec::new();
                while let Some((k, v)) = m.next_entry::<&'de str, &'de RawValue>()? {
                    if out.iter().any(|(e, _)| *e == k) {
                        return Err(serde::de::Error::custom("duplicate key"));
                    }
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

fn members(raw: &RawValue) -> Option<Vec<(&str, &RawValue)>> {
    serde_json::from_str::<Members<'_>>(raw.get())
        .ok()
        .map(|m| m.0)
}

fn array(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok()
}

fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

struct Ctx<'c> {
    cache: &'c mut PolicyCache,
    syntax: ScpSyntax,
    origin: String,
}

impl Ctx<'_> {
    fn document(&mut self, raw: &RawValue, ty: PolicyType, label: String) -> Option<NamedPolicy> {
        let text = raw.get();
        let (name, arn, doc) = if text.starts_with('{') && text.contains("\"document\"") {
            let m = members(raw)?;
            if !m.iter().any(|(k, _)| *k == "document") {
                (None, None, raw)
            } else {
                let mut name = None;
                let mut arn = None;
                let mut doc = None;
                for (k, v) in m {
                    match k {
                        "name" if !is_null(v) => {
                            name = Some(serde_json::from_str::<String>(v.get()).ok()?)
                        }
                        "arn" if !is_null(v) => {
                            arn = Some(serde_json::from_str::<String>(v.get()).ok()?)
                        }
                        "name" | "arn" | "type" => {}
                        "document" => doc = Some(v),
                        _ => return None,
                    }
                }
                (name, arn, doc?)
            }
        } else {
            (None, None, raw)
        };
        let key = (
            ty,
            self.syntax == ScpSyntax::Legacy2023,
            doc.get().to_string(),
        );
        let policy = match self.cache.get(&key) {
            Some(p) => std::sync::Arc::clone(p),
            None => {
                let source = if doc.get().starts_with('"') {
                    SourceFile::new(
                        self.origin.clone(),
                        serde_json::from_str::<String>(doc.get()).ok()?,
                    )
                } else {
                    SourceFile::new(self.origin.clone(), doc.get())
                };
                let mut opts = ParseOptions::new(ty);
                opts.scp_syntax = self.syntax;
                let p = std::sync::Arc::new(parse_policy(&source, opts).ok()?);
                self.cache.insert(key, std::sync::Arc::clone(&p));
                p
            }
        };
        Some(NamedPolicy::new(name, arn, label, policy))
    }

    fn list(&mut self, raw: &RawValue, ty: PolicyType, base: &str) -> Option<Vec<NamedPolicy>> {
        if is_null(raw) {
            return Some(Vec::new());
        }
        if raw.get().starts_with('[') {
            return array(raw)?
                .into_iter()
                .enumerate()
                .map(|(i, d)| self.document(d, ty, format!("{base}[{i}]")))
                .collect();
        }
        Some(vec![self.document(raw, ty, base.to_string())?])
    }

    fn levels(
        &mut self,
        raw: &RawValue,
        ty: PolicyType,
        base: &str,
    ) -> Option<Option<Vec<Vec<NamedPolicy>>>> {
        if is_null(raw) {
            return Some(None);
        }
        let mut out = Vec::new();
        for (i, lvl) in array(raw)?.into_iter().enumerate() {
            if !lvl.get().starts_with('[') {
                return None;
            }
            out.push(self.list(lvl, ty, &format!("{base}[{i}]"))?);
        }
        Some(Some(out))
    }
}

/// Load one batch line quickly, or `None` to fall back to the strict loader.
pub fn load_line_fast(text: &str, origin: &str, cache: &mut PolicyCache) -> Option<Scenario> {
    let top = serde_json::from_str::<Members<'_>>(text).ok()?.0;
    // The request and everything else (small) go through the strict loader.
    let mut rest = String::with_capacity(1024);
    rest.push('{');
    let mut policies_raw = None;
    for (k, v) in &top {
        if *k == "policies" {
            policies_raw = Some(*v);
            continue;
        }
        if rest.len() > 1 {
            rest.push(',');
        }
        rest.push_str(&serde_json::to_string(k).ok()?);
        rest.push(':');
        rest.push_str(v.get());
    }
    rest.push('}');
    let source = SourceFile::new(origin, rest);
    let tree = verdict_policy::json::parse(&source).ok()?;
    let mut s = scenario_from_json(&tree, &source).ok()?;
    let Some(praw) = policies_raw else {
        return Some(s);
    };
    let trust = crate::request::is_trust_request(&s.request);
    let mut ctx = Ctx {
        cache,
        syntax: s.options.scp_syntax,
        origin: origin.to_string(),
    };
    let mut p = Policies::default();
    for (k, v) in members(praw)? {
        match k {
            "identity" => p.identity = ctx.list(v, PolicyType::Identity, "identity")?,
            "session" => p.session = ctx.list(v, PolicyType::Session, "session")?,
            "resource" if !is_null(v) => {
                let (ty, label) = if trust {
                    (PolicyType::Trust, "role trust policy")
                } else {
                    (PolicyType::Resource, "resource policy")
                };
                p.resource = Some(ctx.document(v, ty, label.into())?);
            }
            "permissions_boundary" if !is_null(v) => {
                p.permissions_boundary =
                    Some(ctx.document(v, PolicyType::Boundary, "permissions boundary".into())?)
            }
            "vpc_endpoint" if !is_null(v) => {
                p.vpc_endpoint =
                    Some(ctx.list(v, PolicyType::VpcEndpoint, "VPC endpoint policy")?)
            }
            "scps" => p.scps = ctx.levels(v, PolicyType::Scp, "scps")?,
            "rcps" => p.rcps = ctx.levels(v, PolicyType::Rcp, "rcps")?,
            "resource" | "permissions_boundary" | "vpc_endpoint" => {}
            _ => return None,
        }
    }
    s.policies = p;
    Some(s)
}
