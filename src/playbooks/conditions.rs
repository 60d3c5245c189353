//! Whether a playbook's conditions hold for an event. All must hold; an empty set or a
//! missing bound does not restrict.

use super::batch::{Known, State};
use super::engine::Event;
use super::model::{Conditions, TemplateRef};

/// Whether every condition holds for the event, as the batch stands now.
pub fn hold(known: &Known, state: &State, conditions: &Conditions, event: &Event) -> bool {
    if !hold_on_response(conditions, event) || !hold_on_account(conditions, event) {
        return false;
    }
    match &conditions.no_open_project_from {
        Some(template) => no_open_project(known, state, event, template),
        None => true,
    }
}

/// Category, score and contact role.
fn hold_on_response(conditions: &Conditions, event: &Event) -> bool {
    let response = event.response.as_ref();
    let category = conditions.categories.is_empty()
        || response.is_some_and(|r| conditions.categories.contains(&r.category));
    let score = (conditions.score_min.is_none() && conditions.score_max.is_none())
        || response.is_some_and(|r| within(r.score, conditions.score_min, conditions.score_max));
    let role = conditions.contact_roles.is_empty()
        || event
            .contact
            .as_ref()
            .is_some_and(|c| conditions.contact_roles.contains(&c.role));
    category && score && role
}

/// Segment (compared without regard to case or surrounding spaces) and MRR.
fn hold_on_account(conditions: &Conditions, event: &Event) -> bool {
    let account = &event.account;
    let segment = conditions.segments.is_empty()
        || account.segment.as_deref().is_some_and(|segment| {
            conditions
                .segments
                .iter()
                .any(|wanted| wanted.trim().eq_ignore_ascii_case(segment.trim()))
        });
    let mrr = (conditions.mrr_min_cents.is_none() && conditions.mrr_max_cents.is_none())
        || account
            .mrr_cents
            .is_some_and(|mrr| within(mrr, conditions.mrr_min_cents, conditions.mrr_max_cents));
    segment && mrr
}

fn within<T: PartialOrd>(value: T, min: Option<T>, max: Option<T>) -> bool {
    min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
}

/// The account has no active project from the template (a template that is gone has none).
fn no_open_project(known: &Known, state: &State, event: &Event, template: &TemplateRef) -> bool {
    known
        .template_id(template)
        .is_none_or(|template_id| state.open_project(event.account.id, template_id).is_none())
}
