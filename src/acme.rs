//! Wiring the ACME thread (`bext-acme`) to the running server: challenges go to the shards
//! through the server's publisher; a new certificate comes back to the main loop as an event,
//! which rebuilds the certificates from the config being served (not the file on disk: an
//! edit the operator has not reloaded yet is not applied behind their back).

use std::sync::Arc;
use std::sync::mpsc::Sender;

use bext_acme::{Control, Site};
use bext_core::acme::Challenges;
use bext_core::config::{Config, SiteTls};
use bext_server::AcmePublisher;

use crate::Event;

/// The sites of `config` that get their certificate by ACME.
pub fn sites(config: &Config) -> Vec<Site> {
    config
        .sites
        .iter()
        .filter_map(|site| match &site.tls {
            Some(SiteTls::Acme(acme)) => Some(Site {
                hosts: site.hosts.clone(),
                acme: acme.clone(),
            }),
            _ => None,
        })
        .collect()
}

pub struct Bridge {
    pub publisher: AcmePublisher,
    pub events: Sender<Event>,
}

impl Control for Bridge {
    fn publish(&self, challenges: Arc<Challenges>) -> Result<(), String> {
        self.publisher.publish(challenges)
    }

    fn installed(&self, hosts: &[String]) {
        let _ = self.events.send(Event::Certificate(hosts.to_vec()));
    }
}
