//! Finding who answered, for a whole batch of responses at once: one query for the
//! accounts, one for the contacts by id, one for them by email, and one insert for the
//! contacts that are new. A batch of one is the single-response case.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::input::{AccountRef, ContactRef, FieldNames};
use crate::accounts::service::account_activity;
use crate::activity::service::{self as activity, Subject};
use crate::entities::enums::ContactRole;
use crate::entities::{account, contact};
use crate::error::{AppError, AppResult};
use crate::values::Name;

/// What a batch's contact references resolved to.
#[derive(Debug, Default)]
pub struct Resolved {
    by_id: HashMap<Uuid, contact::Model>,
    by_email: HashMap<String, contact::Model>,
    accounts: HashMap<AccountRef, Uuid>,
}

impl Resolved {
    /// The contact a reference names, or why there is none (the field to blame, as the
    /// caller's path spells it, and why). An account given with an email must exist even
    /// when the email is a known contact's.
    pub fn contact(
        &self,
        reference: &ContactRef,
        names: FieldNames,
    ) -> Result<&contact::Model, AppError> {
        match reference {
            ContactRef::Id(id) => self
                .by_id
                .get(id)
                .ok_or_else(|| AppError::bad_input(names.contact_id, "no contact with this id")),
            ContactRef::Email { email, account, .. } => {
                if !self.accounts.contains_key(account) {
                    return Err(unknown_account(account, names));
                }
                self.by_email.get(email.as_str()).ok_or_else(|| {
                    AppError::internal(anyhow::anyhow!("a new contact was not stored"))
                })
            }
        }
    }
}

fn unknown_account(account: &AccountRef, names: FieldNames) -> AppError {
    match account {
        AccountRef::Id(_) => AppError::bad_input(names.account_id, "no account with this id"),
        AccountRef::External(_) => AppError::bad_input(
            names.account_external_id,
            "no account with this external id",
        ),
    }
}

/// Finds every contact the references name, creating (with `contact.created` activity)
/// those given by email at a known account. Call it in the batch's transaction.
pub async fn contacts(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    references: &[&ContactRef],
    now: DateTime<Utc>,
) -> AppResult<Resolved> {
    let mut resolved = Resolved {
        accounts: accounts(db, workspace_id, references).await?,
        ..Resolved::default()
    };
    let ids: HashSet<Uuid> = references
        .iter()
        .filter_map(|r| match r {
            ContactRef::Id(id) => Some(*id),
            ContactRef::Email { .. } => None,
        })
        .collect();
    resolved.by_id = contacts_where(db, workspace_id, contact::Column::Id.is_in(ids))
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    create_missing(db, workspace_id, references, &mut resolved, now).await?;
    Ok(resolved)
}

async fn accounts(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    references: &[&ContactRef],
) -> AppResult<HashMap<AccountRef, Uuid>> {
    let (mut ids, mut externals) = (HashSet::new(), HashSet::new());
    for reference in references {
        match reference {
            ContactRef::Email {
                account: AccountRef::Id(id),
                ..
            } => ids.insert(*id),
            ContactRef::Email {
                account: AccountRef::External(external),
                ..
            } => externals.insert(external.clone()),
            ContactRef::Id(_) => false,
        };
    }
    if ids.is_empty() && externals.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = account::Entity::find()
        .filter(account::Column::WorkspaceId.eq(workspace_id))
        .filter(
            Condition::any()
                .add(account::Column::Id.is_in(ids))
                .add(account::Column::ExternalId.is_in(externals)),
        )
        .all(db)
        .await?;
    let mut found = HashMap::new();
    for row in rows {
        if let Some(external) = row.external_id.clone() {
            found.insert(AccountRef::External(external), row.id);
        }
        found.insert(AccountRef::Id(row.id), row.id);
    }
    Ok(found)
}

/// Looks the emails up, inserts the contacts still missing (skipping any another request
/// inserted meanwhile) and looks those up again.
async fn create_missing(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    references: &[&ContactRef],
    resolved: &mut Resolved,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let emails: HashSet<String> = references.iter().filter_map(|r| email_of(r)).collect();
    if emails.is_empty() {
        return Ok(());
    }
    store_by_email(
        resolved,
        contacts_where(db, workspace_id, in_emails(&emails)).await?,
    );
    let new = new_contacts(workspace_id, references, resolved, now);
    if new.is_empty() {
        return Ok(());
    }
    let new_emails: HashSet<String> = new.values().map(|c| c.email.clone()).collect();
    let models: Vec<contact::ActiveModel> = new.values().cloned().map(Into::into).collect();
    let inserted: HashSet<Uuid> = contact::Entity::insert_many(models)
        .on_conflict_do_nothing_on([contact::Column::WorkspaceId, contact::Column::Email])
        .exec_with_returning_keys(db)
        .await
        .map(super::store::inserted_keys)?
        .into_iter()
        .collect();
    let created = new.values().filter(|c| inserted.contains(&c.id));
    record_created(db, created, now).await?;
    store_by_email(
        resolved,
        contacts_where(db, workspace_id, in_emails(&new_emails)).await?,
    );
    Ok(())
}

/// One new contact per email not found, at a known account; the first row's name wins.
/// Sorted by email, so concurrent imports insert in the same order.
fn new_contacts(
    workspace_id: Uuid,
    references: &[&ContactRef],
    resolved: &Resolved,
    now: DateTime<Utc>,
) -> BTreeMap<String, contact::Model> {
    let mut new = BTreeMap::new();
    for reference in references {
        let ContactRef::Email {
            email,
            account,
            name,
        } = reference
        else {
            continue;
        };
        let (Some(account_id), false) = (
            resolved.accounts.get(account),
            resolved.by_email.contains_key(email.as_str()),
        ) else {
            continue;
        };
        new.entry(email.as_str().to_owned())
            .or_insert_with(|| contact::Model {
                id: Uuid::now_v7(),
                workspace_id,
                account_id: *account_id,
                email: email.as_str().to_owned(),
                name: name.clone().map(Name::into_inner),
                role: ContactRole::User,
                unsubscribed_at: None,
                bounced_at: None,
                created_at: now,
                updated_at: now,
            });
    }
    new
}

async fn record_created<'a>(
    db: &impl ConnectionTrait,
    created: impl Iterator<Item = &'a contact::Model>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let changes = created.map(|c| {
        tracing::info!(contact.id = %c.id, account.id = %c.account_id, "contact created by an NPS response");
        account_activity(
            c.workspace_id,
            c.account_id,
            Subject::Contact(c.id),
            None,
            "contact.created",
            json!({ "email": c.email, "role": "USER", "source": "nps_response" }),
        )
    });
    activity::record_many(db, changes, now).await
}

fn email_of(reference: &ContactRef) -> Option<String> {
    match reference {
        ContactRef::Email { email, .. } => Some(email.as_str().to_owned()),
        ContactRef::Id(_) => None,
    }
}

fn in_emails(emails: &HashSet<String>) -> sea_orm::sea_query::SimpleExpr {
    contact::Column::Email.is_in(emails.iter().cloned())
}

fn store_by_email(resolved: &mut Resolved, found: Vec<contact::Model>) {
    for contact in found {
        resolved.by_email.insert(contact.email.clone(), contact);
    }
}

async fn contacts_where(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    condition: sea_orm::sea_query::SimpleExpr,
) -> AppResult<Vec<contact::Model>> {
    Ok(contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .filter(condition)
        .all(db)
        .await?)
}
