//! One ACME order, from the account to the certificate (RFC 8555 §7.4): load or create the
//! account, order the site's names, answer each authorization's challenge (published to the
//! shards before the CA is told to check), wait for the order to be ready, finalize it with a
//! CSR for a fresh P-256 key, and fetch the chain.

use std::sync::Arc;
use std::time::Duration;

use bext_core::acme::{Challenges, TlsAlpnChallenge, account_file};
use bext_core::config::AcmeChallenge;
use bext_core::limits::ACME_POLL_TIMEOUT_MS;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};

use crate::store::{self, Issued};
use crate::{Control, Site};

/// How the CA's order state is polled: every 250 ms at first, backing off, for at most
/// `ACME_POLL_TIMEOUT_MS` per wait (the whole order is bounded by `ACME_ORDER_DEADLINE_MS`).
fn retry() -> RetryPolicy {
    RetryPolicy::new().timeout(Duration::from_millis(ACME_POLL_TIMEOUT_MS))
}

pub(crate) async fn run(
    site: &Site,
    control: &impl Control,
    open: &mut Challenges,
) -> Result<Issued, String> {
    let account = account(site).await?;
    let identifiers: Vec<Identifier> = site
        .hosts
        .iter()
        .map(|h| Identifier::Dns(h.clone()))
        .collect();
    let mut order = account
        .new_order(&NewOrder::new(&identifiers))
        .await
        .map_err(|e| format!("new order: {e}"))?;
    let kind = match site.acme.challenge {
        AcmeChallenge::TlsAlpn01 => ChallengeType::TlsAlpn01,
        AcmeChallenge::Http01 => ChallengeType::Http01,
    };
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz.map_err(|e| format!("authorization: {e}"))?;
        match authz.status {
            AuthorizationStatus::Pending => {}
            AuthorizationStatus::Valid => continue,
            other => return Err(format!("an authorization is {other:?}")),
        }
        let name = authz.identifier().to_string();
        let mut challenge = authz.challenge(kind.clone()).ok_or_else(|| {
            format!(
                "the CA offers no {} challenge for {name}",
                site.acme.challenge.name()
            )
        })?;
        let key_authorization = challenge.key_authorization();
        match site.acme.challenge {
            AcmeChallenge::Http01 => {
                let token = challenge.token.clone();
                if !bext_core::acme::is_token(&token) {
                    return Err(format!("the CA sent a token bext cannot serve: {token:?}"));
                }
                open.http
                    .push((token, key_authorization.as_str().to_owned()));
            }
            AcmeChallenge::TlsAlpn01 => {
                open.tls_alpn.push(tls_alpn_certificate(
                    &name,
                    key_authorization.digest().as_ref(),
                )?);
            }
        }
        control.publish(Arc::new(open.clone()))?;
        challenge
            .set_ready()
            .await
            .map_err(|e| format!("challenge for {name}: {e}"))?;
    }
    let status = order
        .poll_ready(&retry())
        .await
        .map_err(|e| format!("waiting for the CA's checks: {e}"))?;
    if status != OrderStatus::Ready {
        let state = order.state();
        let why = state
            .error
            .as_ref()
            .map_or_else(|| format!("{status:?}"), |p| p.to_string());
        let details: Vec<String> = state
            .authorizations
            .iter()
            .filter_map(|a| a.state.as_ref())
            .flat_map(|a| a.challenges.iter())
            .filter_map(|c| c.error.as_ref().map(|p| p.to_string()))
            .collect();
        return Err(if details.is_empty() {
            format!("the order is {why}")
        } else {
            format!("the order is {why}: {}", details.join("; "))
        });
    }
    let key = rcgen::KeyPair::generate().map_err(|e| format!("key: {e}"))?;
    let csr = rcgen::CertificateParams::new(site.hosts.clone())
        .and_then(|params| params.serialize_request(&key))
        .map_err(|e| format!("CSR: {e}"))?;
    order
        .finalize_csr(csr.der())
        .await
        .map_err(|e| format!("finalize: {e}"))?;
    let chain_pem = order
        .poll_certificate(&retry())
        .await
        .map_err(|e| format!("certificate: {e}"))?;
    Ok(Issued {
        chain_pem,
        key_pem: key.serialize_pem(),
    })
}

/// The account for the site's CA: the stored one, or a new one (stored for next time).
async fn account(site: &Site) -> Result<Account, String> {
    let acme = &site.acme;
    let builder = || match &acme.ca {
        Some(ca) => Account::builder_with_root(ca).map_err(|e| format!("{}: {e}", ca.display())),
        None => Account::builder().map_err(|e| format!("HTTPS client: {e}")),
    };
    let file = account_file(&acme.storage, &acme.directory);
    if let Ok(json) = std::fs::read(&file) {
        let credentials: AccountCredentials =
            serde_json::from_slice(&json).map_err(|e| format!("{}: {e}", file.display()))?;
        return builder()?
            .from_credentials(credentials)
            .await
            .map_err(|e| format!("account from {}: {e}", file.display()));
    }
    let contact = acme.email.as_ref().map(|email| format!("mailto:{email}"));
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let (account, credentials) = builder()?
        .create(
            &NewAccount {
                contact: &contacts,
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            acme.directory.clone(),
            None,
        )
        .await
        .map_err(|e| format!("new account at {}: {e}", acme.directory))?;
    std::fs::create_dir_all(&acme.storage)
        .map_err(|e| format!("{}: {e}", acme.storage.display()))?;
    let json = serde_json::to_vec_pretty(&credentials).map_err(|e| format!("account: {e}"))?;
    store::write_file(&file, &json, true)?;
    Ok(account)
}

/// RFC 8737 §3: a self-signed certificate for `name` alone, with the critical
/// `acmeIdentifier` extension holding the SHA-256 of the key authorization.
fn tls_alpn_certificate(name: &str, digest: &[u8]) -> Result<TlsAlpnChallenge, String> {
    let key = rcgen::KeyPair::generate().map_err(|e| format!("key: {e}"))?;
    let mut params = rcgen::CertificateParams::new(vec![name.to_owned()])
        .map_err(|e| format!("TLS-ALPN-01 certificate for {name}: {e}"))?;
    params.custom_extensions = vec![rcgen::CustomExtension::new_acme_identifier(digest)];
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("TLS-ALPN-01 certificate for {name}: {e}"))?;
    Ok(TlsAlpnChallenge {
        host: name.to_ascii_lowercase(),
        cert_der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    })
}
