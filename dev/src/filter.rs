//! The message filters of the API reference, read once from a query and matched against a
//! message: `DELETE /v2/messages`, `GET`/`DELETE /v2/dlq` and `POST /v2/dlq/retry` take them.
//! Several values of one filter (repeated, or comma-separated) match any; several filters must
//! all match.

use crate::reply::{ApiError, bad_request, query_values};

/// The filters of one request; empty lists and `None` match everything.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    message_id: Vec<String>,
    url: Vec<String>,
    url_group: Vec<String>,
    schedule_id: Vec<String>,
    queue_name: Vec<String>,
    label: Vec<String>,
    flow_control_key: Vec<String>,
    caller_ip: Vec<String>,
    host: Vec<String>,
    path: Vec<String>,
    response_status: Vec<u16>,
    from_date: Option<u64>,
    to_date: Option<u64>,
}

impl Filter {
    /// The filters of `query`; a number that is not one is a 400 naming the parameter.
    pub(crate) fn from_query(query: &Option<String>) -> Result<Filter, ApiError> {
        let values = |name: &str| -> Vec<String> {
            query_values(query, name)
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let date = |name: &str| -> Result<Option<u64>, ApiError> {
            match query_values(query, name).first() {
                None => Ok(None),
                Some(text) => text
                    .parse()
                    .map(Some)
                    .map_err(|_| bad_request(format!("{name} must be Unix milliseconds, not {text:?}"))),
            }
        };
        let response_status = values("responseStatus")
            .iter()
            .map(|s| {
                s.parse().map_err(|_| bad_request(format!("responseStatus must be a status, not {s:?}")))
            })
            .collect::<Result<_, _>>()?;
        let mut caller_ip = values("callerIp");
        caller_ip.extend(values("callerIP"));
        Ok(Filter {
            message_id: values("messageId"),
            url: values("url"),
            url_group: values("topicName"),
            schedule_id: values("scheduleId"),
            queue_name: values("queueName"),
            label: values("label"),
            flow_control_key: values("flowControlKey"),
            caller_ip,
            host: values("host"),
            path: values("path"),
            response_status,
            from_date: date("fromDate")?,
            to_date: date("toDate")?,
        })
    }

    /// Whether the message `view` (and, in the DLQ, its destination's last status) matches.
    pub(crate) fn matches(&self, view: &qstash_client::Message, response_status: Option<u16>) -> bool {
        fn any(wanted: &[String], value: Option<&String>) -> bool {
            wanted.is_empty() || value.is_some_and(|v| wanted.contains(v))
        }
        let parsed = view.url.as_deref().and_then(|u| url::Url::parse(u).ok());
        let host = parsed.as_ref().and_then(|u| u.host_str().map(str::to_owned));
        let path = parsed.as_ref().map(|u| u.path().to_owned());
        let created = view.created_at.unwrap_or(0);
        any(&self.message_id, Some(&view.message_id))
            && any(&self.url, view.url.as_ref())
            && any(&self.url_group, view.url_group.as_ref())
            && any(&self.schedule_id, view.schedule_id.as_ref())
            && any(&self.queue_name, view.queue_name.as_ref())
            && (self.label.is_empty() || view.labels.iter().any(|l| self.label.contains(l)))
            && any(&self.flow_control_key, view.flow_control_key.as_ref())
            && any(&self.caller_ip, view.caller_ip.as_ref())
            && any(&self.host, host.as_ref())
            && any(&self.path, path.as_ref())
            && (self.response_status.is_empty()
                || response_status.is_some_and(|s| self.response_status.contains(&s)))
            && self.from_date.is_none_or(|from| created >= from)
            && self.to_date.is_none_or(|to| created <= to)
    }
}
