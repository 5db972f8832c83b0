//! The kind of resource a resource-based policy is attached to. Each kind accepts the
//! actions of its own service and the ARNs of its own resources; Access Analyzer calls
//! this the policy's resource type (`AWS::S3::Bucket`, …).

/// A resource that holds a resource-based policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// An S3 bucket policy.
    S3Bucket,
    /// An S3 access point policy.
    S3AccessPoint,
    /// An S3 Multi-Region Access Point policy.
    S3MultiRegionAccessPoint,
    /// An S3 Object Lambda access point policy.
    S3ObjectLambdaAccessPoint,
    /// An S3 directory bucket (S3 Express One Zone) policy.
    S3DirectoryBucket,
    /// A KMS key policy.
    KmsKey,
    /// An SQS queue policy.
    SqsQueue,
    /// An SNS topic policy.
    SnsTopic,
    /// An ECR repository policy.
    EcrRepository,
    /// A Lambda function's resource-based policy.
    LambdaFunction,
    /// A Secrets Manager secret's resource policy.
    SecretsManagerSecret,
    /// A DynamoDB table's (or stream's) resource policy.
    DynamoDbTable,
    /// An API Gateway REST API's resource policy.
    ApiGatewayRestApi,
    /// An EventBridge event bus policy.
    EventBus,
    /// An IAM role's trust policy.
    RoleTrust,
}

/// Names accepted for each kind: CloudFormation type, Terraform type, short name.
const NAMES: &[(ResourceKind, &[&str])] = &[
    (
        ResourceKind::S3Bucket,
        &[
            "AWS::S3::Bucket",
            "AWS::S3::BucketPolicy",
            "aws_s3_bucket_policy",
            "s3-bucket",
        ],
    ),
    (
        ResourceKind::S3AccessPoint,
        &[
            "AWS::S3::AccessPoint",
            "aws_s3_access_point",
            "aws_s3control_access_point_policy",
            "s3-access-point",
        ],
    ),
    (
        ResourceKind::S3MultiRegionAccessPoint,
        &[
            "AWS::S3::MultiRegionAccessPoint",
            "AWS::S3::MultiRegionAccessPointPolicy",
            "aws_s3control_multi_region_access_point_policy",
            "s3-multi-region-access-point",
        ],
    ),
    (
        ResourceKind::S3ObjectLambdaAccessPoint,
        &[
            "AWS::S3ObjectLambda::AccessPoint",
            "AWS::S3ObjectLambda::AccessPointPolicy",
            "aws_s3control_object_lambda_access_point_policy",
            "s3-object-lambda-access-point",
        ],
    ),
    (
        ResourceKind::S3DirectoryBucket,
        &[
            "AWS::S3Express::DirectoryBucket",
            "AWS::S3Express::BucketPolicy",
            "aws_s3_directory_bucket",
            "s3-directory-bucket",
        ],
    ),
    (
        ResourceKind::KmsKey,
        &[
            "AWS::KMS::Key",
            "aws_kms_key",
            "aws_kms_key_policy",
            "kms-key",
        ],
    ),
    (
        ResourceKind::SqsQueue,
        &[
            "AWS::SQS::Queue",
            "AWS::SQS::QueuePolicy",
            "aws_sqs_queue_policy",
            "aws_sqs_queue",
            "sqs-queue",
        ],
    ),
    (
        ResourceKind::SnsTopic,
        &[
            "AWS::SNS::Topic",
            "AWS::SNS::TopicPolicy",
            "aws_sns_topic_policy",
            "aws_sns_topic",
            "sns-topic",
        ],
    ),
    (
        ResourceKind::EcrRepository,
        &[
            "AWS::ECR::Repository",
            "aws_ecr_repository_policy",
            "ecr-repository",
        ],
    ),
    (
        ResourceKind::LambdaFunction,
        &[
            "AWS::Lambda::Function",
            "AWS::Lambda::Permission",
            "aws_lambda_permission",
            "lambda-function",
        ],
    ),
    (
        ResourceKind::SecretsManagerSecret,
        &[
            "AWS::SecretsManager::Secret",
            "AWS::SecretsManager::ResourcePolicy",
            "aws_secretsmanager_secret_policy",
            "secretsmanager-secret",
        ],
    ),
    (
        ResourceKind::DynamoDbTable,
        &[
            "AWS::DynamoDB::Table",
            "AWS::DynamoDB::GlobalTable",
            "aws_dynamodb_resource_policy",
            "dynamodb-table",
        ],
    ),
    (
        ResourceKind::ApiGatewayRestApi,
        &[
            "AWS::ApiGateway::RestApi",
            "aws_api_gateway_rest_api_policy",
            "apigateway-rest-api",
        ],
    ),
    (
        ResourceKind::EventBus,
        &[
            "AWS::Events::EventBus",
            "AWS::Events::EventBusPolicy",
            "aws_cloudwatch_event_bus_policy",
            "eventbridge-event-bus",
        ],
    ),
    (
        ResourceKind::RoleTrust,
        &[
            "AWS::IAM::Role",
            "AWS::IAM::AssumeRolePolicyDocument",
            "aws_iam_role",
            "role-trust",
        ],
    ),
];

impl ResourceKind {
    /// Parse a CloudFormation type (`AWS::S3::Bucket`), a Terraform type
    /// (`aws_s3_bucket_policy`) or a short name (`s3-bucket`); ASCII case is ignored.
    pub fn from_name(name: &str) -> Option<ResourceKind> {
        let n = name.trim();
        NAMES
            .iter()
            .find(|(_, names)| names.iter().any(|x| x.eq_ignore_ascii_case(n)))
            .map(|(k, _)| *k)
    }

    /// Every accepted name, for help and "did you mean".
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().flat_map(|(_, n)| n.iter().copied())
    }

    /// The CloudFormation type name.
    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(k, _)| *k == self)
            .and_then(|(_, n)| n.first().copied())
            .unwrap_or("")
    }

    /// The service prefixes whose actions the policy may name.
    pub fn services(self) -> &'static [&'static str] {
        match self {
            ResourceKind::S3Bucket
            | ResourceKind::S3AccessPoint
            | ResourceKind::S3MultiRegionAccessPoint => &["s3"],
            ResourceKind::S3ObjectLambdaAccessPoint => &["s3-object-lambda"],
            ResourceKind::S3DirectoryBucket => &["s3express"],
            ResourceKind::KmsKey => &["kms"],
            ResourceKind::SqsQueue => &["sqs"],
            ResourceKind::SnsTopic => &["sns"],
            ResourceKind::EcrRepository => &["ecr"],
            ResourceKind::LambdaFunction => &["lambda"],
            ResourceKind::SecretsManagerSecret => &["secretsmanager"],
            ResourceKind::DynamoDbTable => &["dynamodb"],
            ResourceKind::ApiGatewayRestApi => &["execute-api"],
            ResourceKind::EventBus => &["events"],
            ResourceKind::RoleTrust => &["sts"],
        }
    }

    /// Does the policy name no resource, the resource being implied (ECR repository
    /// policies have no `Resource` element)?
    pub fn resource_implied(self) -> bool {
        self == ResourceKind::EcrRepository
    }

    /// Must every statement have a unique `Sid` (the service rejects duplicates)?
    pub fn unique_sids_required(self) -> bool {
        self == ResourceKind::SnsTopic
    }

    /// Does a `Resource` ARN fit this kind? `service` and `resource` are the ARN's
    /// third and sixth fields, as written.
    pub fn fits_arn(self, service: &str, resource: &str) -> bool {
        let svc = service.to_ascii_lowercase();
        let res = resource.to_ascii_lowercase();
        let svc_ok = |s: &str| svc == s || svc.contains(['*', '?']);
        match self {
            // A bucket or its objects; never an access point.
            ResourceKind::S3Bucket => {
                svc_ok("s3")
                    && !res.starts_with("accesspoint/")
                    && !res.starts_with("job/")
                    && !res.starts_with("storage-lens")
            }
            ResourceKind::S3AccessPoint => svc_ok("s3") && res.starts_with("accesspoint/"),
            ResourceKind::S3MultiRegionAccessPoint => {
                svc_ok("s3") && res.starts_with("accesspoint/")
            }
            ResourceKind::S3ObjectLambdaAccessPoint => {
                svc_ok("s3-object-lambda") && res.starts_with("accesspoint/")
            }
            ResourceKind::S3DirectoryBucket => svc_ok("s3express"),
            _ => self.services().iter().any(|s| svc_ok(s)),
        }
    }
}

/// `"; did you mean \"AWS::S3::Bucket\"?"` for a name close to a known one, else "".
pub fn suggest(name: &str) -> String {
    verdict_policy::diag::suggestion(name, ResourceKind::all_names())
        .map(|h| format!("; {h}"))
        .unwrap_or_default()
}
