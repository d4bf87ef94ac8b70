#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildCommerceApp } from '../lib/app';

const app = new App();
buildCommerceApp(app, { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION });
