# WebhookDelivery, moved from the reliability app: the table (renamed to
# ingestion_webhookdelivery by reliability 0002) and its rows are kept, so only the state is
# created here.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ingestion', '0002_sync_run_changed_from'),
        ('reliability', '0002_move_webhookdelivery_to_ingestion'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('provider', models.CharField(max_length=16)),
                        ('delivery_id', models.CharField(max_length=200)),
                        ('received_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('provider', 'delivery_id'), name='webhook_delivery_once')],
                    },
                ),
            ],
        ),
    ]
