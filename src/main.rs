use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    closeloop::cli::run().await
}
