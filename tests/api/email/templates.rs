//! Templates through the API (read, edit, reset, preview) and header injection through
//! anything that ends up in a header.

use closeloop::entities::enums::MemberRole;
use closeloop::entities::{contact, team_member};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{Customer, app_sending_to, enqueue, queued};
use crate::helpers::{TestApp, data, error_code};
use crate::smtp::{SmtpServer, header, header_names};

const UPDATE: &str = "mutation($key: TemplateKey!, $input: EmailTemplateInput!) { updateEmailTemplate(key: $key, input: $input) { key subject customized holdForReview } }";
const PREVIEW: &str = "query($contact: ID, $source: EmailTemplateSourceInput) { previewEmailTemplate(key: PROMOTER_THANK_YOU, contactId: $contact, source: $source) { subject bodyText bodyHtml } }";

#[tokio::test]
async fn every_template_reads_as_its_default_until_a_manager_changes_it() {
    let app = TestApp::spawn().await;
    let manager = app
        .token_for("Default workspace", "max@acme-cs.io", MemberRole::Manager)
        .await;
    let csm = app
        .token_for("Default workspace", "sam@acme-cs.io", MemberRole::Csm)
        .await;
    let input = json!({ "subject": "Thanks from {{ csm.name }}", "bodyText": "Hi {{ contact.first_name }}" });

    let listed = app
        .graphql(
            "{ emailTemplates { key customerFacing customized } }",
            json!({}),
        )
        .await;
    let by_csm = app
        .graphql_as(
            &csm,
            UPDATE,
            json!({ "key": "PROMOTER_THANK_YOU", "input": input }),
        )
        .await;
    let by_manager = app
        .graphql_as(
            &manager,
            UPDATE,
            json!({ "key": "PROMOTER_THANK_YOU", "input": input }),
        )
        .await;
    let reset = app
        .graphql_as(
            &manager,
            "mutation { resetEmailTemplate(key: PROMOTER_THANK_YOU) { subject customized } }",
            json!({}),
        )
        .await;

    let templates = data(&listed)["emailTemplates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(templates.len(), 9);
    assert!(templates.iter().all(|t| t["customized"] == false));
    assert_eq!(
        templates[0],
        json!({ "key": "PROMOTER_THANK_YOU", "customerFacing": true, "customized": false })
    );
    assert_eq!(error_code(&by_csm), Some("FORBIDDEN"));
    assert_eq!(data(&by_manager)["updateEmailTemplate"]["customized"], true);
    assert_eq!(data(&reset)["resetEmailTemplate"]["customized"], false);
    assert!(
        data(&reset)["resetEmailTemplate"]["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("Thank you"))
    );
}

#[tokio::test]
async fn a_template_that_does_not_compile_is_refused_with_the_part_named() {
    let app = TestApp::spawn().await;
    let input = json!({ "subject": "Hi", "bodyText": "ok", "bodyHtml": "<p>{% if %}</p>" });

    let body = app
        .graphql(
            UPDATE,
            json!({ "key": "DETRACTOR_ACKNOWLEDGEMENT", "input": input }),
        )
        .await;

    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "bodyHtml");
    let kept = app
        .graphql(
            "{ emailTemplate(key: DETRACTOR_ACKNOWLEDGEMENT) { customized } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&kept)["emailTemplate"]["customized"], false);
}

#[tokio::test]
async fn a_preview_renders_with_a_real_contact_or_with_sample_data() {
    let app = TestApp::spawn().await;
    let customer = Customer::create(&app).await;

    let real = app
        .graphql(PREVIEW, json!({ "contact": customer.contact_id }))
        .await;
    let sample = app.graphql(PREVIEW, json!({})).await;
    let draft = app
        .graphql(
            PREVIEW,
            json!({ "source": { "subject": "Hello {{ account.name }}", "bodyText": "-" } }),
        )
        .await;

    let real = &data(&real)["previewEmailTemplate"];
    assert_eq!(real["subject"], "Thank you, Ada");
    assert!(
        real["bodyText"]
            .as_str()
            .is_some_and(|t| t.contains("Initech") && t.contains("Sam Rivera"))
    );
    assert!(
        real["bodyText"]
            .as_str()
            .is_some_and(|t| t.contains("https://closeloop.test/unsubscribe/"))
    );
    assert_eq!(
        data(&sample)["previewEmailTemplate"]["subject"],
        "Thank you, Ada"
    );
    assert_eq!(
        data(&draft)["previewEmailTemplate"]["subject"],
        "Hello Acme Corp"
    );
}

#[tokio::test]
async fn line_breaks_in_names_and_subjects_cannot_add_headers_or_recipients() {
    let smtp = SmtpServer::start().await;
    let app = app_sending_to(&smtp).await;
    let customer = Customer::create(&app).await;
    let subject =
        json!({ "subject": "Re: {{ response.comment }}", "bodyText": "Hi {{ contact.name }}" });
    data(
        &app.graphql(
            UPDATE,
            json!({ "key": "PROMOTER_THANK_YOU", "input": subject }),
        )
        .await,
    );
    // Names that came in before validation, or through an import: the API refuses them.
    contact::Entity::update_many()
        .col_expr(
            contact::Column::Name,
            Expr::value("Ada\r\nBcc: evil@example.com"),
        )
        .filter(contact::Column::Id.eq(customer.contact_id))
        .exec(&app.db)
        .await
        .expect("contact name");
    team_member::Entity::update_many()
        .col_expr(
            team_member::Column::Name,
            Expr::value("Sam\r\nX-Injected: yes"),
        )
        .filter(team_member::Column::Id.eq(customer.csm_id))
        .exec(&app.db)
        .await
        .expect("member name");
    let mut email = customer.thank_you("response-1:thanks");
    email.context =
        json!({ "response": { "comment": "thanks\r\nBcc: evil@example.com\r\nX-Injected: yes" } });
    queued(enqueue(&app, email).await);

    app.deliver_outbox().await;

    let message = &smtp.received()[0];
    assert_eq!(message.to, ["ada@initech.io"]);
    let names = header_names(&message.data);
    assert!(
        !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("Bcc") || n.eq_ignore_ascii_case("X-Injected")),
        "{names:?}"
    );
    assert_eq!(
        header(&message.data, "Subject").as_deref(),
        Some("Re: thanks Bcc: evil@example.com X-Injected: yes")
    );
}
