//! `resources/<account>/<service>/…json`: one resource policy per file, as the
//! `{"Arn", "Policy"}` wrapper `tools/snapshot/collect.sh` writes or as the AWS CLI
//! prints it (the ARN then comes from the answer or from the file's path).

use super::{error_at, str_at, Resource};
use std::sync::Arc;
use verdict_eval::NamedPolicy;
use verdict_policy::json::{self, Json};
use verdict_policy::{Diagnostic, PolicyType, SourceFile};

/// Read one resource-policy file.
pub(crate) fn read(
    src: &Arc<SourceFile>,
    account: &str,
    service: &str,
    rest: &[&str],
) -> Result<Resource, Vec<Diagnostic>> {
    let tree = json::parse(src).map_err(|d| vec![d])?;
    let file = src.name().to_string();
    let stem = rest
        .last()
        .map(|f| f.strip_suffix(".json").unwrap_or(f))
        .unwrap_or("");
    let region = if rest.len() >= 2 {
        rest.first().copied()
    } else {
        None
    };
    let attrs = tree.get("Attributes");
    let arn = str_at(&tree, "Arn")
        .or_else(|| str_at(&tree, "ARN"))
        .or_else(|| attrs.and_then(|a| str_at(a, "QueueArn")))
        .or_else(|| attrs.and_then(|a| str_at(a, "TopicArn")))
        .map(str::to_string)
        .or_else(|| arn_from_path(service, account, region, stem, &tree));
    let Some(arn) = arn else {
        return Err(vec![error_at(src, &tree, format!("{file}: cannot tell the resource's ARN; write {{\"Arn\": \"arn:…\", \"Policy\": …}} (as tools/snapshot/collect.sh does), or use the path resources/<account>/{service}/<region>/<name>.json for kms, lambda, apigateway and ecr (docs/snapshot.md)"))]);
    };
    let doc: Option<&Json> = tree
        .get("Policy")
        .or_else(|| tree.get("policy"))
        .or_else(|| tree.get("ResourcePolicy"))
        .or_else(|| tree.get("policyText"))
        .or_else(|| attrs.and_then(|a| a.get("Policy")))
        .or_else(|| tree.get("Statement").map(|_| &tree));
    let Some(doc) = doc else {
        return Err(vec![error_at(src, &tree, format!("{file}: no policy found (expected \"Policy\", \"ResourcePolicy\", \"policyText\", \"policy\", Attributes.Policy, or a policy document)"))]);
    };
    let opts = verdict_policy::ParseOptions::new(PolicyType::Resource);
    let policy = match verdict_policy::parse_policy_json(doc, src, opts) {
        Ok(p) => p,
        // API Gateway returns its policy with the quotes escaped once more.
        Err(e) => match doc.as_str().filter(|t| t.contains("\\\"")) {
            Some(t) => {
                let text = t.replace("\\\"", "\"").replace("\\/", "/");
                let inner = SourceFile::new(format!("{file} (policy, unescaped)"), text);
                verdict_policy::parse_policy(&inner, opts).map_err(|_| e)?
            }
            None => return Err(e),
        },
    };
    let label = format!("resource policy of {arn}");
    Ok(Resource {
        account: account.to_string(),
        service: service.to_string(),
        policy: NamedPolicy::new(None, Some(arn.clone()), label, policy),
        arn,
        file,
    })
}

fn arn_from_path(
    service: &str,
    account: &str,
    region: Option<&str>,
    stem: &str,
    tree: &Json,
) -> Option<String> {
    match (service, region) {
        ("s3", _) => Some(format!("arn:aws:s3:::{stem}")),
        ("kms", Some(r)) => Some(format!("arn:aws:kms:{r}:{account}:key/{stem}")),
        ("lambda", Some(r)) => Some(format!("arn:aws:lambda:{r}:{account}:function:{stem}")),
        ("apigateway" | "execute-api", Some(r)) => {
            let id = str_at(tree, "id").unwrap_or(stem);
            Some(format!("arn:aws:execute-api:{r}:{account}:{id}/*"))
        }
        ("ecr", Some(r)) => {
            let name = str_at(tree, "repositoryName").unwrap_or(stem);
            Some(format!("arn:aws:ecr:{r}:{account}:repository/{name}"))
        }
        _ => None,
    }
}
