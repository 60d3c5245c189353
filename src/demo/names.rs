//! Names and comments for demo data: plausible, varied, and the same on every run.

const FIRST: [&str; 24] = [
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Liam", "Maya", "Nikolai", "Olivia", "Priya", "Quentin", "Rosa", "Sam", "Tomas", "Uma",
    "Victor", "Wen", "Yusuf",
];
const LAST: [&str; 20] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Nguyen",
    "Schmidt",
    "Silva",
    "Patel",
    "O'Brien",
    "Kim",
    "Novak",
    "Garcia",
    "Mensah",
    "Larsen",
    "Cohen",
    "Dubois",
    "Ivanova",
];
const COMPANY_A: [&str; 16] = [
    "Northwind",
    "Bluefin",
    "Copperleaf",
    "Driftwood",
    "Evergreen",
    "Foxglove",
    "Granite",
    "Harbor",
    "Ironbark",
    "Juniper",
    "Keystone",
    "Lighthouse",
    "Meridian",
    "Nimbus",
    "Oakridge",
    "Pinnacle",
];
const COMPANY_B: [&str; 8] = [
    "Analytics",
    "Logistics",
    "Health",
    "Labs",
    "Retail",
    "Energy",
    "Media",
    "Systems",
];

/// A person's full name.
pub fn person(n: usize) -> String {
    format!(
        "{} {}",
        FIRST[n % FIRST.len()],
        LAST[(n / FIRST.len() + n) % LAST.len()]
    )
}

/// A company name, unique per index.
pub fn company(n: usize) -> String {
    let a = COMPANY_A[n % COMPANY_A.len()];
    let b = COMPANY_B[(n / COMPANY_A.len()) % COMPANY_B.len()];
    let round = n / (COMPANY_A.len() * COMPANY_B.len());
    if round == 0 {
        format!("{a} {b}")
    } else {
        format!("{a} {b} {}", round + 1)
    }
}

/// What someone who gave `score` might have written.
pub fn comment(score: i16, variant: usize) -> &'static str {
    const DETRACTOR: [&str; 4] = [
        "Support takes days to answer and the last outage cost us a week.",
        "The reporting module is too slow for our month-end close.",
        "We were promised an integration that still does not exist.",
        "Billing changed without notice and nobody could explain it.",
    ];
    const PASSIVE: [&str; 4] = [
        "Does the job, but onboarding new colleagues is hard.",
        "Fine overall; the mobile app needs work.",
        "Good product, a bit pricey for what we use.",
        "",
    ];
    const PROMOTER: [&str; 4] = [
        "Our CSM is fantastic and the product just works.",
        "Saved my team hours every week.",
        "The best tool we adopted this year.",
        "",
    ];
    let pool = match score {
        0..=6 => &DETRACTOR,
        7..=8 => &PASSIVE,
        _ => &PROMOTER,
    };
    pool[variant % pool.len()]
}
