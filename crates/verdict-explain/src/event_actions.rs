//! From a CloudTrail `eventSource` and `eventName` to the IAM action(s) AWS authorised.
//!
//! Most API operations are authorised by the action of the same name under the
//! service's prefix. The exceptions live in two tables below: service prefixes whose
//! endpoint host differs, and operations authorised by another action (or several).

/// Endpoint hosts (`HOST.amazonaws.com`) whose IAM prefix is different.
pub const SERVICE_PREFIXES: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("execute-api", "execute-api"),
    ("api.ecr", "ecr"),
    ("api.ecr-public", "ecr-public"),
    ("ecr-public", "ecr-public"),
    ("streams.dynamodb", "dynamodb"),
    ("runtime.sagemaker", "sagemaker"),
    ("api.sagemaker", "sagemaker"),
    ("bedrock-runtime", "bedrock"),
    ("elasticfilesystem", "elasticfilesystem"),
    ("es", "es"),
    ("aoss", "aoss"),
    ("tagging", "tag"),
    ("data.iot", "iot"),
    ("iotdata", "iot"),
    ("sso-directory", "sso-directory"),
    ("signin", "signin"),
    ("s3-outposts", "s3-outposts"),
    ("s3express", "s3express"),
    ("secretsmanager", "secretsmanager"),
    ("kinesisanalytics", "kinesisanalytics"),
    ("elasticloadbalancing", "elasticloadbalancing"),
    ("application-autoscaling", "application-autoscaling"),
    ("states", "states"),
    ("lambda", "lambda"),
];

/// One operation whose IAM action is not `prefix:eventName`.
#[derive(Clone, Copy, Debug)]
pub struct EventAction {
    /// IAM service prefix.
    pub service: &'static str,
    /// CloudTrail `eventName`.
    pub event_name: &'static str,
    /// The action(s) AWS authorises, most likely denied first.
    pub actions: &'static [&'static str],
    /// What the user should know about the mapping.
    pub note: Option<&'static str>,
}

const fn e(
    service: &'static str,
    event_name: &'static str,
    actions: &'static [&'static str],
    note: Option<&'static str>,
) -> EventAction {
    EventAction {
        service,
        event_name,
        actions,
        note,
    }
}

/// Operations authorised by an action of another name.
pub const EVENT_ACTIONS: &[EventAction] = &[
    e("s3", "ListObjects", &["s3:ListBucket"], Some("ListObjects is authorised by s3:ListBucket on the bucket ARN")),
    e("s3", "ListObjectsV2", &["s3:ListBucket"], Some("ListObjectsV2 is authorised by s3:ListBucket on the bucket ARN; there is no s3:ListObjectsV2 action")),
    e("s3", "ListObjectVersions", &["s3:ListBucketVersions"], None),
    e("s3", "ListBuckets", &["s3:ListAllMyBuckets"], None),
    e("s3", "HeadObject", &["s3:GetObject"], Some("HeadObject is authorised by s3:GetObject (a HEAD of an object)")),
    e("s3", "HeadBucket", &["s3:ListBucket"], Some("HeadBucket is authorised by s3:ListBucket on the bucket ARN")),
    e("s3", "GetBucketLocation", &["s3:GetBucketLocation"], None),
    e("s3", "PutObjectAcl", &["s3:PutObjectAcl"], None),
    e("s3", "CopyObject", &["s3:PutObject", "s3:GetObject"], Some("CopyObject needs s3:PutObject on the destination object and s3:GetObject on the source object; the record names the destination")),
    e("s3", "UploadPart", &["s3:PutObject"], Some("multipart uploads are authorised by s3:PutObject")),
    e("s3", "UploadPartCopy", &["s3:PutObject", "s3:GetObject"], Some("UploadPartCopy needs s3:PutObject on the destination and s3:GetObject on the source")),
    e("s3", "CreateMultipartUpload", &["s3:PutObject"], Some("multipart uploads are authorised by s3:PutObject")),
    e("s3", "CompleteMultipartUpload", &["s3:PutObject"], Some("multipart uploads are authorised by s3:PutObject")),
    e("s3", "ListParts", &["s3:ListMultipartUploadParts"], None),
    e("s3", "DeleteObjects", &["s3:DeleteObject"], Some("DeleteObjects checks s3:DeleteObject for each key")),
    e("s3", "SelectObjectContent", &["s3:GetObject"], None),
    e("s3", "GetObjectAttributes", &["s3:GetObject", "s3:GetObjectAttributes"], Some("GetObjectAttributes needs s3:GetObject and s3:GetObjectAttributes")),
    e("s3", "GetBucketEncryption", &["s3:GetEncryptionConfiguration"], None),
    e("s3", "PutBucketEncryption", &["s3:PutEncryptionConfiguration"], None),
    e("s3", "DeleteBucketEncryption", &["s3:PutEncryptionConfiguration"], None),
    e("s3", "GetBucketLifecycle", &["s3:GetLifecycleConfiguration"], None),
    e("s3", "GetBucketLifecycleConfiguration", &["s3:GetLifecycleConfiguration"], None),
    e("s3", "PutBucketLifecycle", &["s3:PutLifecycleConfiguration"], None),
    e("s3", "PutBucketLifecycleConfiguration", &["s3:PutLifecycleConfiguration"], None),
    e("s3", "DeleteBucketLifecycle", &["s3:PutLifecycleConfiguration"], None),
    e("s3", "GetBucketReplication", &["s3:GetReplicationConfiguration"], None),
    e("s3", "PutBucketReplication", &["s3:PutReplicationConfiguration"], None),
    e("s3", "DeleteBucketReplication", &["s3:PutReplicationConfiguration"], None),
    e("s3", "GetBucketCors", &["s3:GetBucketCORS"], None),
    e("s3", "PutBucketCors", &["s3:PutBucketCORS"], None),
    e("s3", "DeleteBucketCors", &["s3:PutBucketCORS"], None),
    e("s3", "DeleteBucketPolicy", &["s3:DeleteBucketPolicy"], None),
    e("s3", "GetBucketNotificationConfiguration", &["s3:GetBucketNotification"], None),
    e("s3", "PutBucketNotificationConfiguration", &["s3:PutBucketNotification"], None),
    e("s3", "DeleteBucketTagging", &["s3:PutBucketTagging"], None),
    e("s3", "DeleteBucketWebsite", &["s3:DeleteBucketWebsite"], None),
    e("s3", "GetBucketAccelerateConfiguration", &["s3:GetAccelerateConfiguration"], None),
    e("s3", "PutBucketAccelerateConfiguration", &["s3:PutAccelerateConfiguration"], None),
    e("s3", "GetBucketRequestPayment", &["s3:GetBucketRequestPayment"], None),
    e("s3", "GetObjectLockConfiguration", &["s3:GetBucketObjectLockConfiguration"], None),
    e("s3", "PutObjectLockConfiguration", &["s3:PutBucketObjectLockConfiguration"], None),
    e("s3", "GetBucketIntelligentTieringConfiguration", &["s3:GetIntelligentTieringConfiguration"], None),
    e("s3", "GetBucketInventoryConfiguration", &["s3:GetInventoryConfiguration"], None),
    e("s3", "GetBucketMetricsConfiguration", &["s3:GetMetricsConfiguration"], None),
    e("s3", "GetBucketAnalyticsConfiguration", &["s3:GetAnalyticsConfiguration"], None),
    e("s3", "GetBucketOwnershipControls", &["s3:GetBucketOwnershipControls"], None),
    e("s3", "GetPublicAccessBlock", &["s3:GetBucketPublicAccessBlock"], None),
    e("s3", "PutPublicAccessBlock", &["s3:PutBucketPublicAccessBlock"], None),
    e("s3", "DeletePublicAccessBlock", &["s3:PutBucketPublicAccessBlock"], None),
    e("s3", "RestoreObject", &["s3:RestoreObject"], None),
    e("lambda", "Invoke", &["lambda:InvokeFunction"], Some("the Invoke API is authorised by lambda:InvokeFunction")),
    e("lambda", "InvokeAsync", &["lambda:InvokeAsync", "lambda:InvokeFunction"], None),
    e("lambda", "InvokeWithResponseStream", &["lambda:InvokeFunction"], None),
    e("lambda", "InvokeFunctionUrl", &["lambda:InvokeFunctionUrl"], None),
    e("sqs", "SendMessageBatch", &["sqs:SendMessage"], Some("batch operations are authorised by the single-message action")),
    e("sqs", "DeleteMessageBatch", &["sqs:DeleteMessage"], Some("batch operations are authorised by the single-message action")),
    e("sqs", "ChangeMessageVisibilityBatch", &["sqs:ChangeMessageVisibility"], Some("batch operations are authorised by the single-message action")),
    e("sns", "PublishBatch", &["sns:Publish"], Some("PublishBatch is authorised by sns:Publish")),
    e("dynamodb", "TransactGetItems", &["dynamodb:GetItem"], Some("TransactGetItems checks dynamodb:GetItem on each table")),
    e("dynamodb", "TransactWriteItems", &["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"], Some("TransactWriteItems checks the per-item write action on each table")),
    e("kms", "ReEncrypt", &["kms:ReEncryptFrom", "kms:ReEncryptTo"], Some("ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination key")),
    e("monitoring", "PutMetricData", &["cloudwatch:PutMetricData"], None),
    e("ec2", "RunInstances", &["ec2:RunInstances"], Some("RunInstances is checked for every resource it touches (instance, image, subnet, security group, volume, network interface, key pair) and, with an instance profile, iam:PassRole on the role")),
    e("iam", "AddRoleToInstanceProfile", &["iam:AddRoleToInstanceProfile", "iam:PassRole"], Some("also needs iam:PassRole on the role")),
    e("signin", "ConsoleLogin", &[], Some("ConsoleLogin failures are authentication failures (wrong password, MFA, SSO), not IAM policy decisions; no policy evaluation explains them")),
    e("signin", "SwitchRole", &["sts:AssumeRole"], Some("switching roles in the console is sts:AssumeRole on the target role")),
    e("sts", "AssumeRoleWithWebIdentity", &["sts:AssumeRoleWithWebIdentity"], Some("authorised by the role's trust policy alone (the caller has no IAM identity)")),
    e("sts", "AssumeRoleWithSAML", &["sts:AssumeRoleWithSAML"], Some("authorised by the role's trust policy alone (the caller has no IAM identity)")),
    e("execute-api", "Invoke", &["execute-api:Invoke"], None),
];

/// The IAM prefix for an `eventSource` such as `s3.amazonaws.com`.
pub fn service_prefix(event_source: &str) -> String {
    let host = event_source
        .strip_suffix(".amazonaws.com")
        .or_else(|| event_source.strip_suffix(".amazonaws.com.cn"))
        .unwrap_or(event_source);
    SERVICE_PREFIXES
        .iter()
        .find(|(h, _)| h.eq_ignore_ascii_case(host))
        .map(|(_, p)| (*p).to_string())
        .unwrap_or_else(|| host.to_ascii_lowercase())
}

/// Lambda records versioned operation names (`GetFunction20150331v2`); drop the suffix.
fn strip_api_version(name: &str) -> &str {
    let trailing_digits = |s: &str| s.bytes().rev().take_while(u8::is_ascii_digit).count();
    // optional `v<digits>`
    let n = trailing_digits(name);
    let base = match name.get(..name.len() - n).and_then(|h| h.strip_suffix('v')) {
        Some(head) if n > 0 => head,
        _ => name,
    };
    // Eight ASCII digits end `base`, so the cut is on a character boundary.
    match base.len().checked_sub(8) {
        Some(end) if end > 0 && trailing_digits(base) == 8 => base.get(..end).unwrap_or(name),
        _ => name,
    }
}

/// The IAM action(s) for an operation and a note when they differ from the event name.
pub fn actions_for_event(event_source: &str, event_name: &str) -> (Vec<String>, Option<String>) {
    let prefix = service_prefix(event_source);
    let name = if prefix == "lambda" {
        strip_api_version(event_name)
    } else {
        event_name
    };
    let host = event_source.split('.').next().unwrap_or("");
    if let Some(m) = EVENT_ACTIONS.iter().find(|m| {
        (m.service == prefix || m.service == host) && m.event_name.eq_ignore_ascii_case(name)
    }) {
        return (
            m.actions.iter().map(|a| (*a).to_string()).collect(),
            m.note.map(str::to_string),
        );
    }
    (vec![format!("{prefix}:{name}")], None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(service_prefix("s3.amazonaws.com"), "s3");
        assert_eq!(service_prefix("monitoring.amazonaws.com"), "cloudwatch");
        assert_eq!(service_prefix("email.amazonaws.com"), "ses");
        assert_eq!(service_prefix("api.ecr.amazonaws.com"), "ecr");
        assert_eq!(service_prefix("execute-api.amazonaws.com"), "execute-api");
    }

    #[test]
    fn mapped_events() {
        let a = |s: &str, n: &str| actions_for_event(s, n).0;
        assert_eq!(a("s3.amazonaws.com", "ListObjectsV2"), ["s3:ListBucket"]);
        assert_eq!(a("s3.amazonaws.com", "ListObjects"), ["s3:ListBucket"]);
        assert_eq!(a("s3.amazonaws.com", "HeadObject"), ["s3:GetObject"]);
        assert_eq!(a("s3.amazonaws.com", "HeadBucket"), ["s3:ListBucket"]);
        assert_eq!(a("s3.amazonaws.com", "UploadPart"), ["s3:PutObject"]);
        assert_eq!(
            a("s3.amazonaws.com", "CreateMultipartUpload"),
            ["s3:PutObject"]
        );
        assert_eq!(
            a("s3.amazonaws.com", "CopyObject"),
            ["s3:PutObject", "s3:GetObject"]
        );
        assert_eq!(a("s3.amazonaws.com", "GetObject"), ["s3:GetObject"]);
        assert_eq!(
            a("lambda.amazonaws.com", "Invoke"),
            ["lambda:InvokeFunction"]
        );
        assert_eq!(
            a("lambda.amazonaws.com", "GetFunction20150331v2"),
            ["lambda:GetFunction"]
        );
        assert_eq!(
            a("lambda.amazonaws.com", "ListFunctions20150331"),
            ["lambda:ListFunctions"]
        );
        assert_eq!(
            a("monitoring.amazonaws.com", "PutMetricData"),
            ["cloudwatch:PutMetricData"]
        );
        assert_eq!(
            a("sts.amazonaws.com", "AssumeRoleWithWebIdentity"),
            ["sts:AssumeRoleWithWebIdentity"]
        );
        assert!(a("signin.amazonaws.com", "ConsoleLogin").is_empty());
        assert_eq!(
            a("secretsmanager.amazonaws.com", "GetSecretValue"),
            ["secretsmanager:GetSecretValue"]
        );
    }
}
