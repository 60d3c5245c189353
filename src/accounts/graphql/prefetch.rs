//! Loads what a page of accounts asks for under `edges.node` — owners, latest responses,
//! a page of contacts and their latest responses — for the whole page at once.
//!
//! Loaders batch the keys that arrive within a short delay; on a wide page the resolvers
//! can take longer than that to reach every node, and the batch is cut in two. Reading
//! the selection ahead (look-ahead) lets the list resolver fetch each kind of nested
//! object with one query whatever the timing. Shapes not recognised here still go through
//! the loaders.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead, Result, Value};
use uuid::Uuid;

use super::types::Account;
use crate::accounts::batch::ChildPage;
use crate::contacts::graphql::{AccountContactsLoader, Contact};
use crate::entities::account;
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::Page;
use crate::members::graphql::{MemberLoader, TeamMember};
use crate::surveys::graphql::{LatestResponseByAccount, LatestResponseByContact, NpsResponse};

/// Nested objects fetched with the page; `None` when the selection did not ask for them.
#[derive(Clone, Default)]
pub struct Prefetched {
    pub owner: Option<Option<TeamMember>>,
    pub latest_response: Option<Option<NpsResponse>>,
    /// The page of contacts the selection asked for, and those contacts.
    pub contacts: Option<(ChildPage, Vec<Contact>)>,
}

/// Builds the accounts of a page with what their selection asks for already loaded.
pub async fn accounts_with_selection(
    ctx: &Context<'_>,
    scope: Scope,
    rows: Vec<account::Model>,
) -> Result<Vec<Account>> {
    let node = ctx.look_ahead().field("edges").field("node");
    let mut accounts: Vec<Account> = rows.into_iter().map(Account::from).collect();
    if node.field("owner").exists() {
        let mut ids: Vec<Uuid> = accounts.iter().filter_map(|a| a.owner_id).collect();
        ids.sort();
        ids.dedup();
        let owners = MemberLoader(scope.clone()).load(&ids).await?;
        for account in &mut accounts {
            account.prefetched.owner =
                Some(account.owner_id.and_then(|id| owners.get(&id).cloned()));
        }
    }
    if node.field("latestResponse").exists() {
        let latest = LatestResponseByAccount(scope.clone())
            .load(&ids_of(&accounts))
            .await?;
        for account in &mut accounts {
            account.prefetched.latest_response = Some(latest.get(&account.account_id).cloned());
        }
    }
    let contacts = node.field("contacts");
    if let Some(page) = single_page(&contacts) {
        prefetch_contacts(&scope, &mut accounts, page, &contacts).await?;
    }
    Ok(accounts)
}

fn ids_of(accounts: &[Account]) -> Vec<Uuid> {
    accounts.iter().map(|a| a.account_id).collect()
}

async fn prefetch_contacts(
    scope: &Scope,
    accounts: &mut [Account],
    page: Page,
    selection: &Lookahead<'_>,
) -> Result<()> {
    let keys: Vec<ChildPage> = ids_of(accounts)
        .into_iter()
        .map(|id| ChildPage::new(id, page))
        .collect();
    let mut pages = AccountContactsLoader(scope.clone()).load(&keys).await?;
    let wants_latest = selection
        .field("edges")
        .field("node")
        .field("latestResponse")
        .exists();
    let latest = if wants_latest {
        let contact_ids: Vec<Uuid> = pages.values().flatten().map(|c| c.id).collect();
        Some(
            LatestResponseByContact(scope.clone())
                .load(&contact_ids)
                .await?,
        )
    } else {
        None
    };

    for (account, key) in accounts.iter_mut().zip(keys) {
        let contacts = pages
            .remove(&key)
            .unwrap_or_default()
            .into_iter()
            .map(Contact::from);
        let contacts = contacts
            .map(|contact| with_latest(contact, latest.as_ref()))
            .collect();
        account.prefetched.contacts = Some((key, contacts));
    }
    Ok(())
}

fn with_latest(mut contact: Contact, latest: Option<&HashMap<Uuid, NpsResponse>>) -> Contact {
    if let Some(latest) = latest {
        contact.prefetched_latest = Some(latest.get(&contact.contact_id).cloned());
    }
    contact
}

/// The page a nested list field asks for, when it is selected once (or always with the
/// same arguments) and those arguments are valid; otherwise the field resolves on its own
/// and reports any error itself.
fn single_page(selection: &Lookahead<'_>) -> Option<Page> {
    let mut pages = selection.selection_fields().into_iter().map(|field| {
        let arguments = field.arguments().ok()?;
        let argument = |name: &str| {
            arguments
                .iter()
                .find(|(n, _)| n.as_str() == name)
                .map(|(_, v)| v.clone())
        };
        let first = match argument("first") {
            Some(Value::Number(n)) => Some(i32::try_from(n.as_i64()?).ok()?),
            None | Some(Value::Null) => None,
            Some(_) => return None,
        };
        let after = match argument("after") {
            Some(Value::String(s)) => Some(s),
            None | Some(Value::Null) => None,
            Some(_) => return None,
        };
        Page::new(first, after.as_deref())
            .ok()
            .map(|page| (page.after, page.size))
    });
    let first = pages.next()??;
    if pages.all(|other| other == Some(first)) {
        Some(Page {
            after: first.0,
            size: first.1,
        })
    } else {
        None
    }
}
