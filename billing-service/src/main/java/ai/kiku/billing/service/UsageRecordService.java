package ai.kiku.billing.service;

import ai.kiku.billing.repository.UsageRecordRepository;
import ai.kiku.common.contract.UsageRecordPage;
import ai.kiku.common.contract.UsageRecordQuery;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Per-request usage for {@code /api/v1/usage/requests} and its CSV export: pages over {@code usage_records}. */
@ApplicationScoped
public class UsageRecordService {

    private final UsageRecordRepository records;
    private final AccountService accounts;

    public UsageRecordService(UsageRecordRepository records, AccountService accounts) {
        this.records = records;
        this.accounts = accounts;
    }

    public Uni<UsageRecordPage> page(long accountId, UsageRecordQuery query) {
        return accounts.require(accountId).flatMap(a -> records.page(accountId, query, query.limit() + 1))
                .map(rows -> {
                    if (rows.size() <= query.limit()) {
                        return new UsageRecordPage(accountId, rows, null);
                    }
                    List<UsageRecordPage.Row> shown = rows.subList(0, query.limit());
                    UsageRecordPage.Row last = shown.get(shown.size() - 1);
                    return new UsageRecordPage(accountId, List.copyOf(shown),
                            new UsageRecordQuery.Cursor(last.occurredAt(), last.requestId()).encode());
                });
    }
}
