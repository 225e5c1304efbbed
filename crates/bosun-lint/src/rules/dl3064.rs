//! DL3064: secrets in ARG or ENV names end up in the image history.

use bosun_dockerfile::Keyword;

use super::{Context, Simple, arg_name, pairs, simple};
use crate::Severity;

const KNOWN: &[&str] = &[
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS",
    "TRAVIS_SUDO",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
];

const SUSPICIOUS: &[&str] = &[
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
];

fn sensitive(name: &str) -> bool {
    let lower = name.to_lowercase();
    KNOWN.contains(&name.to_uppercase().as_str()) || SUSPICIOUS.iter().any(|s| lower.contains(s))
}

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3064",
        Severity::Warning,
        "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
        context,
        |i, c| match i.keyword {
            Keyword::Arg => !sensitive(&arg_name(i)),
            Keyword::Env => !pairs(i, c).iter().any(|(k, _)| sensitive(k)),
            _ => true,
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn sensitive_names() {
        assert_eq!(codes("FROM a:1\nARG NPM_TOKEN\n", "DL3064"), [2]);
        assert_eq!(codes("FROM a:1\nENV DB_PASSWORD=x\n", "DL3064"), [2]);
        assert!(codes("FROM a:1\nENV LANG=C.UTF-8\n", "DL3064").is_empty());
    }
}
