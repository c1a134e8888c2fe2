//! Per-payload cost of `Checker::check`, for a valid payload and for invalid ones (a single
//! fault, and many faults), on the benchmark contract. Run with `cargo bench --bench check`.
//! Throughput of whole runs against other tools is measured by benches/compare.sh.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use handoff_core::check::Checker;
use handoff_core::lint;
use std::hint::black_box;
use std::path::Path;

fn order() -> serde_json::Value {
    let lines: Vec<serde_json::Value> = (0..10)
        .map(|n| {
            serde_json::json!({
                "id": 1_000_000 + n, "sku": format!("TEE-{:05}", 10_000 + n), "title": "Classic Organic Tee",
                "quantity": 2, "price": "19.99", "taxable": true, "vendor": "Northwind Apparel"
            })
        })
        .collect();
    serde_json::json!({
        "order_id": "3f2b8c1e-5d4a-4f6b-9c7d-2e1a0b9c8d7e", "order_number": "#100234",
        "created_at": "2026-11-21T09:30:00Z", "updated_at": "2026-11-21T09:30:00-05:00",
        "currency": "USD", "financial_status": "paid", "fulfillment_status": null,
        "total_price": "431.78", "subtotal_price": "399.80", "total_tax": "31.98",
        "customer": {"id": 50001, "email": "customer.1@example.com", "first_name": "Dana", "last_name": "Lee", "accepts_marketing": true},
        "shipping_address": {"line1": "500 Howard St", "line2": null, "city": "Springfield", "zip": "62704", "country": "US", "phone": "+1 555-0100"},
        "line_items": lines, "tags": ["web", "campaign-3"], "note": null
    })
}

fn bench(c: &mut Criterion) {
    let (checker, diags) = lint::prepare(Path::new("benches/order-contract.yaml"));
    let checker: Checker = checker.unwrap_or_else(|| panic!("{diags:?}"));
    let valid = serde_json::to_vec(&order()).unwrap();
    let mut one_fault = order();
    one_fault["shipping_address"]["zip"] = "62704-1234".into();
    let one_fault = serde_json::to_vec_pretty(&one_fault).unwrap();
    let mut many = order();
    many["financial_status"] = "Paid".into();
    many["total_price"] = 43178.into();
    many["customer"].as_object_mut().unwrap().remove("email");
    for item in many["line_items"].as_array_mut().unwrap() {
        item["sku"] = "tee-1".into();
        item["price"] = "19.9".into();
    }
    let many = serde_json::to_vec_pretty(&many).unwrap();
    assert!(checker.check(&valid).is_empty());
    assert_eq!(checker.check(&one_fault).len(), 1);
    assert!(checker.check(&many).len() > 20);

    let mut group = c.benchmark_group("check");
    for (name, payload) in [
        ("valid", &valid),
        ("one_fault", &one_fault),
        ("many_faults", &many),
    ] {
        group.throughput(Throughput::Bytes(payload.len() as u64));
        group.bench_function(name, |b| b.iter(|| checker.check(black_box(payload))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
