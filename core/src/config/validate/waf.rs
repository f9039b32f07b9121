//! `[waf]`: address prefixes to allow and deny, a rate limit per client, and the rule
//! engine's files and settings (the rules themselves are loaded with the snapshot).

use toml::Spanned;

use super::{Checker, Result};
use crate::config::model::{SiteWaf, WafConfig, WafMode, WafRules};
use crate::config::raw::{RawSiteWaf, RawWaf};
use crate::limits::{
    WAF_ANOMALY_THRESHOLD_CEILING, WAF_BAN_AFTER_CEILING, WAF_BAN_SECS_CEILING,
    WAF_BAN_SECS_DEFAULT, WAF_PREFIXES_MAX, WAF_RATE_BURST_CEILING,
    WAF_RATE_REQUESTS_PER_SEC_CEILING, XDP_INTERFACE_NAME_BYTES_MAX, XDP_INTERFACES_MAX,
};
use crate::waf::{Ban, IpRules, Prefix, RateLimit};

impl Checker<'_> {
    pub(super) fn waf(&self, raw: RawWaf) -> Result<WafConfig> {
        let (allow, deny) = self.lists(&raw.allow, &raw.deny, "waf")?;
        let rate = match &raw.rate {
            None => None,
            Some(rate) => {
                let rate = rate.get_ref();
                let requests_per_sec = self.bounded(
                    &Some(rate.requests_per_sec.clone()),
                    "waf.rate.requests_per_sec",
                    1,
                    WAF_RATE_REQUESTS_PER_SEC_CEILING,
                    1,
                )?;
                // A burst of one second's worth unless said otherwise.
                let burst = self.bounded(
                    &rate.burst,
                    "waf.rate.burst",
                    1,
                    WAF_RATE_BURST_CEILING,
                    requests_per_sec,
                )?;
                let ban = match (&rate.ban_after, &rate.ban_secs) {
                    (None, None) => None,
                    (None, Some(secs)) => {
                        return Err(self.source.error(
                            secs.span(),
                            "waf.rate.ban_secs",
                            "bans need `ban_after` (refused requests in a row before a ban)",
                        ));
                    }
                    (Some(_), _) => {
                        let after = self.bounded(
                            &rate.ban_after,
                            "waf.rate.ban_after",
                            1,
                            WAF_BAN_AFTER_CEILING,
                            1,
                        )?;
                        let secs = self.bounded(
                            &rate.ban_secs,
                            "waf.rate.ban_secs",
                            1,
                            WAF_BAN_SECS_CEILING,
                            WAF_BAN_SECS_DEFAULT,
                        )?;
                        Some(Ban {
                            after: u32::try_from(after).unwrap_or(u32::MAX),
                            secs: u32::try_from(secs).unwrap_or(u32::MAX),
                        })
                    }
                };
                Some(RateLimit {
                    requests_per_sec: u32::try_from(requests_per_sec).unwrap_or(u32::MAX),
                    burst: u32::try_from(burst).unwrap_or(u32::MAX),
                    ban,
                })
            }
        };
        let rules = self.waf_rules(&raw)?;
        let xdp_interfaces = self.interfaces(&raw.xdp_interfaces)?;
        let xdp_steer = match &raw.xdp_steer {
            Some(steer) if *steer.get_ref() && xdp_interfaces.is_empty() => {
                return Err(self.source.error(
                    steer.span(),
                    "waf.xdp_steer",
                    "steering is done by the XDP filter: list the interfaces it attaches to \
                     in `xdp_interfaces`",
                ));
            }
            steer => steer.as_ref().is_some_and(|on| *on.get_ref()),
        };
        Ok(WafConfig {
            allow,
            deny,
            rate,
            rules,
            xdp_interfaces,
            xdp_steer,
        })
    }

    /// `xdp_interfaces`: names Linux would accept, each once.
    fn interfaces(&self, list: &[Spanned<String>]) -> Result<Vec<String>> {
        if list.len() > XDP_INTERFACES_MAX {
            return Err(self.source.error(
                list[XDP_INTERFACES_MAX].span(),
                "waf.xdp_interfaces",
                format!("{} interfaces: at most {XDP_INTERFACES_MAX}", list.len()),
            ));
        }
        let mut names: Vec<String> = Vec::with_capacity(list.len());
        for (i, name) in list.iter().enumerate() {
            let text = name.get_ref();
            let problem = if text.is_empty() || text.len() > XDP_INTERFACE_NAME_BYTES_MAX {
                Some(format!(
                    "an interface name is 1 to {XDP_INTERFACE_NAME_BYTES_MAX} bytes"
                ))
            } else if text == "." || text == ".." {
                Some(String::from("not an interface name"))
            } else if text
                .contains(|c: char| c == '/' || c == ':' || c.is_whitespace() || c.is_control())
            {
                Some(String::from(
                    "an interface name has no `/`, `:`, spaces or control characters",
                ))
            } else if names.iter().any(|n| n == text) {
                Some(String::from("listed twice"))
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(self.source.error(
                    name.span(),
                    &format!("waf.xdp_interfaces[{i}]"),
                    format!("`{}`: {problem}", text.escape_debug()),
                ));
            }
            names.push(text.clone());
        }
        Ok(names)
    }

    /// `crs`, `rules`, `paranoia`, `mode`, `anomaly_threshold`, `response_body`,
    /// `expose_matches`, `memo`.
    fn waf_rules(&self, raw: &RawWaf) -> Result<Option<WafRules>> {
        if raw.crs.is_none() && raw.rules.is_empty() {
            let stray = [
                (raw.paranoia.as_ref().map(Spanned::span), "waf.paranoia"),
                (raw.mode.as_ref().map(Spanned::span), "waf.mode"),
                (
                    raw.anomaly_threshold.as_ref().map(Spanned::span),
                    "waf.anomaly_threshold",
                ),
                (
                    raw.response_body.as_ref().map(Spanned::span),
                    "waf.response_body",
                ),
                (raw.memo.as_ref().map(Spanned::span), "waf.memo"),
            ];
            if let Some((Some(span), key)) = stray.into_iter().find(|(s, _)| s.is_some()) {
                return Err(self.source.error(
                    span,
                    key,
                    "there are no rules to apply it to: set `crs` (a Core Rule Set directory) \
                     or `rules` (rule files)",
                ));
            }
            return Ok(None);
        }
        let crs = match &raw.crs {
            Some(path) => Some(self.path(path, "waf.crs")?),
            None => None,
        };
        let mut files = Vec::with_capacity(raw.rules.len());
        for (i, file) in raw.rules.iter().enumerate() {
            files.push(self.path(file, &format!("waf.rules[{i}]"))?);
        }
        let paranoia = self.bounded(&raw.paranoia, "waf.paranoia", 1, 4, 1)?;
        let mode = match &raw.mode {
            None => WafMode::Block,
            Some(mode) => self.waf_mode(mode, "waf.mode")?,
        };
        let anomaly_threshold = match &raw.anomaly_threshold {
            None => None,
            Some(_) => Some(self.bounded(
                &raw.anomaly_threshold,
                "waf.anomaly_threshold",
                1,
                WAF_ANOMALY_THRESHOLD_CEILING,
                5,
            )?),
        };
        Ok(Some(WafRules {
            crs,
            files,
            paranoia: u8::try_from(paranoia).unwrap_or(4),
            mode,
            anomaly_threshold: anomaly_threshold.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
            response_body: raw.response_body.as_ref().is_some_and(|on| *on.get_ref()),
            expose_matches: raw.expose_matches.unwrap_or(false),
            memo: raw.memo.as_ref().is_none_or(|on| *on.get_ref()),
        }))
    }

    fn waf_mode(&self, mode: &Spanned<String>, key: &str) -> Result<WafMode> {
        match mode.get_ref().as_str() {
            "block" => Ok(WafMode::Block),
            "detection_only" => Ok(WafMode::DetectionOnly),
            other => Err(self.source.error(
                mode.span(),
                key,
                format!("`{other}`: the mode is \"block\" or \"detection_only\""),
            )),
        }
    }

    /// `[site.waf]` of site `index`: its own lists, and overrides of `[waf]`'s rule settings
    /// (which need rules to override).
    pub(super) fn site_waf(
        &self,
        index: usize,
        raw: Option<Spanned<RawSiteWaf>>,
        global: &WafConfig,
    ) -> Result<SiteWaf> {
        let Some(raw) = raw else {
            return Ok(SiteWaf::default());
        };
        let prefix = format!("site[{index}].waf");
        let raw = raw.into_inner();
        let (allow, deny) = self.lists(&raw.allow, &raw.deny, &prefix)?;
        let rules_off = raw.rules.as_ref().is_some_and(|on| !*on.get_ref());
        let overrides = [
            (raw.paranoia.as_ref().map(Spanned::span), "paranoia"),
            (raw.mode.as_ref().map(Spanned::span), "mode"),
            (
                raw.anomaly_threshold.as_ref().map(Spanned::span),
                "anomaly_threshold",
            ),
        ];
        if let Some((Some(span), key)) = overrides.into_iter().find(|(s, _)| s.is_some()) {
            let why = if rules_off {
                Some("the site turns the rules off (`rules = false`)")
            } else if global.rules.is_none() {
                Some(
                    "there are no rules to apply it to: set `crs` or `rules` in [waf], which \
                     sites override",
                )
            } else {
                None
            };
            if let Some(why) = why {
                return Err(self.source.error(span, &format!("{prefix}.{key}"), why));
            }
        }
        let paranoia = match &raw.paranoia {
            None => None,
            Some(_) => Some(self.bounded(&raw.paranoia, &format!("{prefix}.paranoia"), 1, 4, 1)?),
        };
        let mode = match &raw.mode {
            None => None,
            Some(mode) => Some(self.waf_mode(mode, &format!("{prefix}.mode"))?),
        };
        let anomaly_threshold = match &raw.anomaly_threshold {
            None => None,
            Some(_) => Some(self.bounded(
                &raw.anomaly_threshold,
                &format!("{prefix}.anomaly_threshold"),
                1,
                WAF_ANOMALY_THRESHOLD_CEILING,
                5,
            )?),
        };
        Ok(SiteWaf {
            allow,
            deny,
            rules_off,
            paranoia: paranoia.map(|p| u8::try_from(p).unwrap_or(4)),
            mode,
            anomaly_threshold: anomaly_threshold.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
        })
    }

    /// `allow` and `deny` of the table `table` (`waf`, `site[0].waf`): each prefix parsed,
    /// at most `WAF_PREFIXES_MAX` together, none in both.
    fn lists(
        &self,
        raw_allow: &[Spanned<String>],
        raw_deny: &[Spanned<String>],
        table: &str,
    ) -> Result<(Vec<Prefix>, Vec<Prefix>)> {
        let allow = self.prefixes(raw_allow, &format!("{table}.allow"))?;
        let deny = self.prefixes(raw_deny, &format!("{table}.deny"))?;
        if allow.len() + deny.len() > WAF_PREFIXES_MAX {
            let span = raw_deny
                .first()
                .or(raw_allow.first())
                .map_or(0..0, Spanned::span);
            return Err(self.source.error(
                span,
                &format!("{table}.deny"),
                format!(
                    "{} prefixes in `allow` and `deny` together: at most {WAF_PREFIXES_MAX}",
                    allow.len() + deny.len()
                ),
            ));
        }
        if let Some(i) = IpRules::conflict(&allow, &deny) {
            return Err(self.source.error(
                raw_deny[i].span(),
                &format!("{table}.deny[{i}]"),
                format!("{} is in `allow` too: list it in one of them", deny[i]),
            ));
        }
        Ok((allow, deny))
    }

    fn prefixes(&self, list: &[Spanned<String>], key: &str) -> Result<Vec<Prefix>> {
        let mut prefixes = Vec::with_capacity(list.len());
        for (i, text) in list.iter().enumerate() {
            match Prefix::parse(text.get_ref()) {
                Ok(prefix) => prefixes.push(prefix),
                Err(e) => {
                    return Err(self.source.error(
                        text.span(),
                        &format!("{key}[{i}]"),
                        format!("`{}`: {e}", text.get_ref()),
                    ));
                }
            }
        }
        Ok(prefixes)
    }
}
