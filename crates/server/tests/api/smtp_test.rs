//! `sendSMTPTestEmail` (the console's "send a test mail"): sent during the call to the
//! caller's address with the `SMTP_*` settings, the SMTP server's refusal in the error.

use crate::delivery_support::*;
use crate::helpers::*;
use serde_json::{Value, json};

const METHOD: &str = "sendSMTPTestEmail";

async fn call(app: &TestApp, who: Option<&Creds>) -> Value {
    let message = json!({"msg": "method", "id": "1", "method": METHOD, "params": []});
    let body = json!({ "message": message.to_string() });
    let r = match who {
        Some(c) => {
            app.post_as(c, &format!("/api/v1/method.call/{METHOD}"), body)
                .await
        }
        None => {
            app.post(&format!("/api/v1/method.callAnon/{METHOD}"), body)
                .await
        }
    };
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_str(r.body["message"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn test_mail_goes_to_the_caller_at_once() {
    let app = TestApp::spawn().await;
    let smtp = Smtp::start().await;
    Smtp::configure(&app, smtp.port).await;
    let f = call(&app, Some(&app.admin)).await;
    assert_eq!(
        f["result"],
        json!({"message": "Sending_your_mail_to_s", "params": ["admin@example.com"]}),
        "{f}"
    );
    // Sent before the answer: no outbox round.
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(header(&mails[0], "Subject"), Some("SMTP Test Email"));
    assert!(
        header(&mails[0], "To")
            .unwrap()
            .contains("admin@example.com")
    );
    assert!(
        header(&mails[0], "From")
            .unwrap()
            .contains("support@ferrochat.test")
    );
    assert!(mail_text(&mails[0]).contains("You have successfully sent an email"));
}

#[tokio::test]
async fn test_mail_refusals() {
    let app = TestApp::spawn().await;
    // No SMTP host yet: the failure is the answer.
    let f = call(&app, Some(&app.admin)).await;
    assert_eq!(f["error"]["error"], "error-email-send-failed", "{f}");
    assert_eq!(
        f["error"]["reason"],
        "Error trying to send email: SMTP_Host is not set"
    );
    assert_eq!(f["error"]["details"]["method"], METHOD);
    assert_eq!(f["error"]["details"]["message"], "SMTP_Host is not set");
    // Nobody listening on the port.
    Smtp::configure(&app, free_port()).await;
    let f = call(&app, Some(&app.admin)).await;
    assert_eq!(f["error"]["error"], "error-email-send-failed", "{f}");
    assert!(
        f["error"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("Error trying to send email: ")
    );
    // Without a user (the anonymous bridge).
    let f = call(&app, None).await;
    assert_eq!(f["error"]["error"], "error-invalid-user", "{f}");
    assert_eq!(f["error"]["reason"], "Invalid user");
    assert_eq!(f["error"]["details"], json!({"method": METHOD}));
}
