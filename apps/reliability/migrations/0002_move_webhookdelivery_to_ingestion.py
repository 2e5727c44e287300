# WebhookDelivery moves to the ingestion app, which receives the webhooks. The table and its
# rows stay: here it is renamed to ingestion's table name and dropped from reliability's state;
# ingestion 0003 adds the model to its own state over the same table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reliability', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='webhookdelivery', table='ingestion_webhookdelivery'),
            ],
            state_operations=[
                migrations.DeleteModel(name='WebhookDelivery'),
            ],
        ),
    ]
